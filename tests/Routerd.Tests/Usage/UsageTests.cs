using Routerd.Core.Devices;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Usage;
using Routerd.Platform.Store;
using Routerd.Tests.Loop;
using Routerd.Tests.Traffic;
using Xunit;

namespace Routerd.Tests.Usage;

/// <summary>The devices' hourly usage: what the meter feeds it, the seven-day window, and the file
/// that keeps it across restarts.</summary>
public class UsageTests
{
    static readonly MacAddress Phone = MacAddress.Parse("02:00:00:00:01:01");
    static readonly MacAddress Laptop = MacAddress.Parse("02:00:00:00:01:02");
    // 2026-12-04 10:00:00 UTC, the start of an hour.
    static readonly DateTimeOffset TenOClock = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_meter_adds_each_sample_after_the_first_to_the_hour_it_was_taken_in()
    {
        var clock = new ManualClock();
        clock.Advance(TenOClock.AddMinutes(59) - clock.Start);
        var registry = new DeviceRegistry(clock);
        registry.SetLeases([new DhcpLease(null, Phone, "192.168.1.100", "phone")]);
        var sets = new TrafficTests.FakeSets();
        var meter = new TrafficMeter(sets, registry, clock);

        // The first look holds what was counted before routerd looked (another run of routerd
        // counted it into its own history): not added.
        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(Phone.ToString(), 10, 1000));
        sets.Set(NftRenderer.TrafficDownV4Set, new SetCounter("192.168.1.100", 20, 20_000));
        meter.Sample();
        Assert.Null(meter.History.Of(Phone, clock.GetUtcNow()));

        clock.Advance(TimeSpan.FromSeconds(30)); // 10:59:30
        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(Phone.ToString(), 20, 1500));
        sets.Set(NftRenderer.TrafficDownV4Set, new SetCounter("192.168.1.100", 30, 26_000));
        meter.Sample();
        clock.Advance(TimeSpan.FromSeconds(40)); // 11:00:10, the next hour
        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(Phone.ToString(), 21, 1600));
        sets.Set(NftRenderer.TrafficDownV4Set, new SetCounter("192.168.1.100", 31, 27_000));
        meter.Sample();

        var u = meter.History.Of(Phone, clock.GetUtcNow())!;
        Assert.Equal(UsageHistory.Hours, u.Upload.Length);
        Assert.Equal(TenOClock.AddHours(1 - UsageHistory.Hours + 1), u.FirstHour);
        Assert.Equal([500L, 100L], u.Upload[^2..]);
        Assert.Equal([6000L, 1000L], u.Download[^2..]);
        Assert.Equal(600, u.Upload.Sum());
        Assert.Null(meter.History.Of(Laptop, clock.GetUtcNow()));
    }

    [Fact]
    public void The_window_is_the_last_168_hours_and_a_reused_slot_starts_from_zero()
    {
        var h = new UsageHistory();
        // Eight days of one byte up and two down per hour, then one more hour.
        for (int i = 0; i < 8 * 24; i++) h.Add(Phone, 1, 2, TenOClock.AddHours(i).AddMinutes(5));
        var now = TenOClock.AddHours(8 * 24 - 1).AddMinutes(30);
        var u = h.Of(Phone, now)!;
        Assert.All(u.Upload, v => Assert.Equal(1, v)); // each slot was reused once and holds only its own hour
        Assert.All(u.Download, v => Assert.Equal(2, v));
        Assert.Equal(now.AddMinutes(-30).AddHours(-(UsageHistory.Hours - 1)), u.FirstHour);

        // Four hours on with nothing moved: those four hours are zero, the oldest four fell out.
        var later = now.AddHours(4);
        var v = h.Of(Phone, later)!;
        Assert.Equal([0L, 0L, 0L, 0L], v.Upload[^4..]);
        Assert.Equal(UsageHistory.Hours - 4, v.Upload.Sum());
        // A week and a bit of silence: nothing left, and pruning forgets the device.
        Assert.Null(h.Of(Phone, later.AddDays(7)));
        Assert.NotEmpty(h.Export(later));
        h.Prune(later.AddDays(7));
        Assert.Empty(h.Export(later));
    }

    [Fact]
    public void Adds_of_nothing_or_less_are_not_changes()
    {
        var h = new UsageHistory();
        h.Add(Phone, 0, 0, TenOClock);
        h.Add(Phone, -5, 0, TenOClock);
        Assert.Equal(0, h.Changes);
        Assert.Null(h.Of(Phone, TenOClock));
        h.Add(Phone, 0, 7, TenOClock);
        Assert.Equal(1, h.Changes);
        h.Clear();
        Assert.Equal(2, h.Changes);
        Assert.Null(h.Of(Phone, TenOClock));
    }

    [Fact]
    public void The_file_keeps_the_window_and_a_damaged_file_costs_only_the_history()
    {
        string dir = Directory.CreateTempSubdirectory("routerd-usage-").FullName;
        try
        {
            string path = Path.Combine(dir, "usage.json");
            Assert.Empty(UsageFile.Read(path, out var none));
            Assert.Null(none); // no file yet: a first boot, not a problem

            var h = new UsageHistory();
            h.Add(Phone, 100, 2000, TenOClock);
            h.Add(Phone, 1, 2, TenOClock.AddHours(-3));
            h.Add(Laptop, 5_000_000_000, 0, TenOClock.AddMinutes(10));
            UsageFile.Write(path, h.Export(TenOClock));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

            var back = new UsageHistory();
            back.Import(UsageFile.Read(path, out var problem), TenOClock.AddMinutes(30));
            Assert.Null(problem);
            Assert.Equal(h.Of(Phone, TenOClock)!.Upload, back.Of(Phone, TenOClock)!.Upload);
            Assert.Equal(h.Of(Phone, TenOClock)!.Download, back.Of(Phone, TenOClock)!.Download);
            Assert.Equal(5_000_000_000, back.Of(Laptop, TenOClock)!.Upload[^1]);

            // Read back a week later, the hours outside the window are dropped.
            var late = new UsageHistory();
            late.Import(UsageFile.Read(path, out _), TenOClock.AddHours(UsageHistory.Hours - 1));
            var u = late.Of(Phone, TenOClock.AddHours(UsageHistory.Hours - 1))!;
            Assert.Equal(100, u.Upload.Sum()); // 10:00 is the window's first hour; 07:00 is out

            // Entries of the wrong shape are skipped, the rest is kept.
            File.WriteAllText(path, $$"""{"version":1,"hours":[["02:00:00:00:01:01",{{UsageHistory.HourOf(TenOClock)}},7,8],["not-a-mac",1,2,3],["02:00:00:00:01:01",1,-2,3],["02:00:00:00:01:01","x",2,3],[1,2]]}""");
            Assert.Equal([new UsageRecord(Phone, UsageHistory.HourOf(TenOClock), 7, 8)], UsageFile.Read(path, out problem));
            Assert.Null(problem);

            // Truncated, another version, not JSON: nothing read, and why.
            foreach (var text in new[] { """{"version":1,"hours":[["02:00:00:00:01:01",1""", """{"version":2,"hours":[]}""", "\0\0\0\0" })
            {
                File.WriteAllText(path, text);
                Assert.Empty(UsageFile.Read(path, out problem));
                Assert.Contains(path, problem);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void The_api_view_always_has_the_whole_week()
    {
        var h = new UsageHistory();
        var empty = UsageView.Of(Phone, h, TenOClock.AddMinutes(20));
        Assert.Equal(UsageHistory.Hours, empty.Upload.Length);
        Assert.Equal(UsageHistory.Hours, empty.Download.Length);
        Assert.Equal(TenOClock.AddHours(-(UsageHistory.Hours - 1)), empty.FirstHour);
        Assert.Equal((0L, 0L), (empty.UploadTotal, empty.DownloadTotal));

        h.Add(Phone, 10, 20, TenOClock.AddHours(-1));
        h.Add(Phone, 1, 2, TenOClock);
        var view = UsageView.Of(Phone, h, TenOClock.AddMinutes(20));
        Assert.Equal(empty.FirstHour, view.FirstHour);
        Assert.Equal(3600, view.StepSeconds);
        Assert.Equal((11L, 22L), (view.UploadTotal, view.DownloadTotal));
        Assert.Equal([10L, 1L], view.Upload[^2..]);
    }
}
