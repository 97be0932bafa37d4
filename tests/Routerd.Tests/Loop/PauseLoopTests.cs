using System.Net;
using Routerd.Core.Devices;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Xunit;

namespace Routerd.Tests.Loop;

/// <summary>Pausing a device through the loop: set elements only (no ruleset reload), stored,
/// shown in the device list, ended by its time, and schedules started and ended by the clock.</summary>
public class PauseLoopTests
{
    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1"] };
    readonly FakeFirewall firewall = new();
    readonly FakeDns dns = new();
    readonly MemoryStore store = new();
    readonly ManualClock clock = new() { Zone = TimeZoneInfo.Utc }; // starts Tuesday 2026-11-24 12:00 UTC
    readonly DeviceRegistry registry;
    readonly Router router;
    static readonly MacAddress Phone = MacAddress.Parse("02:00:00:00:01:01");

    public PauseLoopTests()
    {
        registry = new DeviceRegistry(clock);
        router = TestRouter.New(board, store, new FakeNetwork("lo", "wan0", "lan1", "br-lan"), firewall, dns: dns,
            registry: registry, clock: clock, hooks: new HookTarget(["routerd"], "/s"));
        router.Start(p => p);
        registry.SetLeases([new DhcpLease(null, Phone, "192.168.1.100", "phone")]);
        registry.Apply(new NeighbourInfo(4, IPAddress.Parse("2001:db8::1234"), Phone, NeighbourState.Reachable), deleted: false);
    }

    DeviceView Shown() => registry.View(router.Snapshot.Settings.Devices, router.Snapshot.Paused).Single(d => d.Mac == Phone.ToString());

    [Fact]
    public void Pausing_changes_only_the_sets_and_is_stored_and_shown()
    {
        int loads = firewall.Loads, checks = firewall.Checks, restarts = dns.Restarts;
        Assert.True(router.SetPause(Phone, true, null).Succeeded);
        Assert.Equal(loads, firewall.Loads);   // no ruleset reload
        Assert.Equal(checks, firewall.Checks); // and no nft -c on the toggle path
        Assert.Equal(restarts, dns.Restarts);
        Assert.Contains("add element inet routerd pause_macs { 02:00:00:00:01:01 }", firewall.Sets);
        Assert.Contains("add element inet routerd pause_v4 { 192.168.1.100 }", firewall.Sets);
        Assert.Contains("add element inet routerd pause_v6 { 2001:db8::1234 }", firewall.Sets);
        Assert.True(store.Stored!.Devices.Single().Paused);
        var shown = Shown();
        Assert.True(shown.Paused);
        Assert.Equal("owner", shown.PausedBy);
        Assert.Null(shown.PausedUntil);

        Assert.True(router.SetPause(Phone, false, null).Succeeded);
        Assert.DoesNotContain("pause_macs {", firewall.Sets);
        Assert.False(Shown().Paused);
        Assert.False(store.Stored!.Devices.Single().Paused);
    }

    [Fact]
    public void A_pause_until_a_time_ends_by_itself_and_the_device_list_says_until_when()
    {
        var until = clock.GetUtcNow().AddMinutes(30);
        Assert.True(router.SetPause(Phone, true, until).Succeeded);
        Assert.Equal(until, Shown().PausedUntil);
        clock.Advance(TimeSpan.FromMinutes(29));
        router.ExpirePriorities(); // the loop's timer posts the same Tick
        Assert.True(Shown().Paused);
        clock.Advance(TimeSpan.FromMinutes(1));
        router.ExpirePriorities();
        router.RefreshVipAddresses(); // answered once the burst's sets are applied
        Assert.False(Shown().Paused);
        Assert.DoesNotContain("pause_macs {", firewall.Sets);
        var stored = store.Stored!.Devices.Single();
        Assert.False(stored.Paused);
        Assert.Null(stored.PausedUntil);
    }

    [Fact]
    public void A_weekly_schedule_pauses_and_resumes_by_the_clock_without_a_settings_change()
    {
        // Tuesdays 12:30 to 13:00 (the clock starts on a Tuesday at 12:00, router time UTC).
        var window = new PauseWindow { Days = ["tue"], From = "12:30", To = "13:00" };
        Assert.True(router.SetPause(Phone, null, null, [window]).Succeeded);
        Assert.False(Shown().Paused);
        Assert.DoesNotContain("pause_macs {", firewall.Sets);
        int saves = store.Saves;

        clock.Advance(TimeSpan.FromMinutes(30));
        router.ExpirePriorities();
        router.RefreshVipAddresses(); // answered once the burst's sets are applied
        Assert.Contains("add element inet routerd pause_macs { 02:00:00:00:01:01 }", firewall.Sets);
        var shown = Shown();
        Assert.Equal("schedule", shown.PausedBy);
        Assert.Equal(clock.Start.AddHours(1), shown.PausedUntil);

        clock.Advance(TimeSpan.FromMinutes(30));
        router.ExpirePriorities();
        router.RefreshVipAddresses(); // answered once the burst's sets are applied
        Assert.DoesNotContain("pause_macs {", firewall.Sets);
        Assert.False(Shown().Paused);
        Assert.Equal(saves, store.Saves); // the schedule did it: nothing was stored
        Assert.Equal([window], store.Stored!.Devices.Single().PauseSchedule);
    }

    [Fact]
    public void Bad_pause_requests_name_every_field_and_change_nothing()
    {
        int saves = store.Saves;
        string? sets = firewall.Sets;
        var refused = router.SetPause(Phone, true, clock.GetUtcNow().AddSeconds(-1),
            [new PauseWindow { Days = ["mon", "xyz"], From = "21:00", To = "21:00" }]);
        Assert.Equal(["until", "schedule[0].days[1]", "schedule[0].to"], refused.Errors.Select(e => e.Field));
        Assert.Equal(saves, store.Saves);
        Assert.Equal(sets, firewall.Sets);
        Assert.Empty(router.Settings.Devices);
    }

    [Fact]
    public void Pausing_keeps_the_schedule_and_changing_the_schedule_keeps_the_pause()
    {
        var window = new PauseWindow { Days = ["sat", "sun"], From = "22:00", To = "08:00" };
        router.SetPause(Phone, null, null, [window]);
        router.SetPause(Phone, true, null);
        Assert.Equal([window], router.Settings.Devices.Single().PauseSchedule);
        router.SetPause(Phone, null, null, []);
        var d = router.Settings.Devices.Single();
        Assert.True(d.Paused);
        Assert.Empty(d.PauseSchedule);
    }
}
