using System.Net;
using Routerd.Core.Devices;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Tests.Loop;
using Routerd.Tests.Traffic;
using Xunit;

namespace Routerd.Tests.Devices;

/// <summary>Presence from every sign together (issue 23): traffic, an answering neighbour, a
/// renewed lease, Wi-Fi association; offline only after the stated quiet period.</summary>
public class PresenceTests
{
    readonly ManualClock clock = new();
    readonly DeviceRegistry registry;
    static readonly MacAddress Laptop = MacAddress.Parse("02:00:00:00:01:02");
    static readonly IPAddress LaptopIp = IPAddress.Parse("192.168.1.101");

    public PresenceTests() => registry = new DeviceRegistry(clock) { QuietPeriod = TimeSpan.FromMinutes(5) };

    DeviceView Laptop_() => registry.Snapshot().Single(d => d.Mac == Laptop.ToString());

    [Fact]
    public void A_device_moving_traffic_is_online_although_its_neighbour_entry_is_stale()
    {
        // At start the table says STALE (old news): no sign yet.
        registry.SetNeighbours([new NeighbourInfo(5, LaptopIp, Laptop, NeighbourState.Stale)]);
        Assert.False(Laptop_().Online);
        Assert.Null(Laptop_().LastSeen);

        var sets = new TrafficTests.FakeSets();
        var moved = new List<MacAddress>();
        var meter = new TrafficMeter(sets, registry, clock) { Moved = macs => { moved.AddRange(macs); registry.Moved(macs); } };
        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(Laptop.ToString(), 10, 1000));
        meter.Sample();
        Assert.Empty(moved); // the first sample holds what was counted before routerd looked
        for (int i = 1; i <= 10; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            sets.Set(NftRenderer.TrafficUpSet, new SetCounter(Laptop.ToString(), 10 + i, 1000 + i * 1_200_000));
            meter.Sample();
            Assert.True(Laptop_().Online, $"offline after {i} min of a download");
        }
        Assert.Equal([Laptop], moved.Distinct());
        Assert.Equal(clock.GetUtcNow(), Laptop_().LastSeen);
    }

    [Theory]
    [InlineData(3650)] // NTP sets a Pi's stale boot date right: years forward
    [InlineData(-3650)] // the owner or an ISP's server sets it back
    public void A_step_of_the_date_moves_last_seen_along_and_leaves_presence_alone(int days)
    {
        registry.Apply(new NeighbourInfo(5, LaptopIp, Laptop, NeighbourState.Reachable), deleted: false);
        registry.Apply(new NeighbourInfo(5, LaptopIp, Laptop, NeighbourState.Stale), deleted: false);
        clock.Advance(TimeSpan.FromSeconds(30));
        clock.StepWall(TimeSpan.FromDays(days));
        // Seen half a minute ago, whatever the date says now: not in the future, not years ago.
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromSeconds(30), Laptop_().LastSeen);
        Assert.True(Laptop_().Online);
        Assert.Empty(registry.ToProbe());
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(Laptop_().Online); // a step back does not keep a device that left online for years
        Assert.Equal([LaptopIp], registry.ToProbe());
    }

    [Fact]
    public void An_idle_device_is_asked_and_its_answer_keeps_it_online()
    {
        registry.Apply(new NeighbourInfo(5, LaptopIp, Laptop, NeighbourState.Reachable), deleted: false);
        clock.Advance(TimeSpan.FromSeconds(30));
        registry.Apply(new NeighbourInfo(5, LaptopIp, Laptop, NeighbourState.Stale), deleted: false);
        Assert.Empty(registry.ToProbe()); // seen half a minute ago: nothing to ask yet (a third of 5 min)
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal([LaptopIp], registry.ToProbe());
        Assert.True(Laptop_().Online);
        // The probe's answer: DELAY, PROBE, then REACHABLE.
        registry.Apply(new NeighbourInfo(5, LaptopIp, Laptop, NeighbourState.Delay), deleted: false);
        registry.Apply(new NeighbourInfo(5, LaptopIp, Laptop, NeighbourState.Reachable), deleted: false);
        Assert.Empty(registry.ToProbe());
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.True(Laptop_().Online);
    }

    [Fact]
    public void A_device_the_kernel_holds_reachable_is_seen_now_not_at_its_last_confirmation()
    {
        registry.Apply(new NeighbourInfo(5, LaptopIp, Laptop, NeighbourState.Reachable), deleted: false);
        clock.Advance(TimeSpan.FromSeconds(40)); // no event while the confirmation holds
        Assert.Equal(clock.GetUtcNow(), Laptop_().LastSeen);
        registry.Apply(new NeighbourInfo(5, LaptopIp, Laptop, NeighbourState.Stale), deleted: false);
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromSeconds(20), Laptop_().LastSeen); // left REACHABLE 20 s ago
    }

    [Fact]
    public void Offline_only_after_the_quiet_period_without_a_sign()
    {
        registry.Apply(new NeighbourInfo(5, LaptopIp, Laptop, NeighbourState.Reachable), deleted: false);
        registry.Apply(new NeighbourInfo(5, LaptopIp, Laptop, NeighbourState.Failed), deleted: false);
        clock.Advance(registry.QuietPeriod - TimeSpan.FromSeconds(1));
        Assert.True(Laptop_().Online);
        Assert.Empty(registry.ToProbe()); // nothing left to ask: the entry failed
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(Laptop_().Online);
        Assert.Equal(clock.Start, Laptop_().LastSeen);
    }

    [Fact]
    public void A_device_that_speaks_first_or_renews_its_lease_is_seen()
    {
        registry.SetLeases([new DhcpLease(clock.Start.AddHours(12), Laptop, "192.168.1.101", "laptop")]);
        Assert.Null(Laptop_().LastSeen); // read from the lease file at start: no sign now
        clock.Advance(TimeSpan.FromHours(6));
        registry.SetLeases([new DhcpLease(clock.GetUtcNow().AddHours(12), Laptop, "192.168.1.101", "laptop")]);
        Assert.Equal(clock.GetUtcNow(), Laptop_().LastSeen);

        var phone = MacAddress.Parse("02:00:00:00:01:01");
        registry.Apply(new NeighbourInfo(5, IPAddress.Parse("192.168.1.100"), phone, NeighbourState.Stale), deleted: false);
        Assert.True(registry.Snapshot().Single(d => d.Mac == phone.ToString()).Online); // a new entry: it just sent us an ARP
    }

    [Fact]
    public void A_wifi_station_is_online_while_associated_and_offline_once_it_leaves()
    {
        registry.SetWifiStation(Laptop, associated: true, signalDbm: -50);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.True(Laptop_().Online);
        Assert.Empty(registry.ToProbe());
        registry.SetWifiStation(Laptop, associated: false, signalDbm: null);
        Assert.False(Laptop_().Online);
    }

    [Fact]
    public void Idle_devices_are_asked_often_enough_to_answer_within_the_quiet_period()
    {
        // Asked at the latest one interval after ProbeAfter; the kernel's answer takes ~6 s.
        foreach (var quiet in new[] { TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), TimeSpan.FromHours(1) })
        {
            var interval = Presence.ProbeInterval(quiet);
            Assert.True(Presence.ProbeAfter(quiet) + interval + TimeSpan.FromSeconds(8) < quiet,
                $"quiet {quiet}: asked after {Presence.ProbeAfter(quiet)} every {interval}");
            Assert.InRange(interval, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1));
        }
    }
}
