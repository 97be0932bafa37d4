using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Devices;
using Routerd.Core.Net;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Xunit;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Loop;

public class PriorityTests
{
    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1"] };
    readonly FakeFirewall firewall = new();
    readonly FakeTraffic traffic = new();
    readonly FakeDns dns = new();
    readonly MemoryStore store = new();
    readonly ManualClock clock = new();
    readonly DeviceRegistry registry;
    readonly Router reconciler;
    static readonly MacAddress Phone = MacAddress.Parse("02:00:00:00:01:01");

    public PriorityTests()
    {
        registry = new DeviceRegistry(clock);
        reconciler = TestRouter.New(board, store, new FakeNetwork("lo", "wan0", "lan1", "br-lan"), firewall, traffic, dns,
            registry: registry, clock: clock, hooks: new HookTarget(["routerd"], "/s"));
        reconciler.Start(p => p);
        registry.SetLeases([new DhcpLease(null, Phone, "192.168.1.100", "phone")]);
        registry.Apply(new NeighbourInfo(4, IPAddress.Parse("2001:db8::1234"), Phone, NeighbourState.Reachable), deleted: false);
    }

    [Fact]
    public void Turning_priority_on_changes_only_the_sets_and_stores_it()
    {
        int loads = firewall.Loads, checks = firewall.Checks, restarts = dns.Restarts;
        var tc = traffic.Plan;
        Assert.True(reconciler.SetPriority(Phone, true, null).Succeeded);
        Assert.Equal(loads, firewall.Loads);      // no ruleset reload
        Assert.Equal(checks, firewall.Checks);    // and no nft -c on the toggle path
        Assert.Equal(restarts, dns.Restarts);
        Assert.Same(tc, traffic.Plan); // the queues were not touched
        Assert.Contains("add element inet routerd vip_macs { 02:00:00:00:01:01 }", firewall.Sets);
        Assert.Contains("add element inet routerd vip_v4 { 192.168.1.100 }", firewall.Sets);
        Assert.Contains("add element inet routerd vip_v6 { 2001:db8::1234 }", firewall.Sets);
        Assert.True(store.Stored!.Devices.Single().Priority);

        Assert.True(reconciler.SetPriority(Phone, false, null).Succeeded);
        Assert.DoesNotContain("add element", firewall.Sets);
    }

    [Fact]
    public void A_new_address_of_a_vip_device_joins_the_set()
    {
        reconciler.SetPriority(Phone, true, null);
        registry.Apply(new NeighbourInfo(4, IPAddress.Parse("192.168.1.100"), Phone, NeighbourState.Stale), deleted: false);
        registry.SetLeases([new DhcpLease(null, Phone, "192.168.1.150", "phone")]);
        reconciler.RefreshVipAddresses();
        // The old address lingers in the neighbour table, but the lease says where the phone is now.
        Assert.Contains("vip_v4 { 192.168.1.150 }", firewall.Sets);
    }

    [Fact]
    public void The_timer_waits_for_a_date_a_minute_at_a_time_so_a_step_forward_ends_a_priority_soon()
    {
        Assert.True(reconciler.SetPriority(Phone, true, clock.GetUtcNow().AddHours(2)).Succeeded);
        // Timers count monotonic time: armed for two hours, a priority would outlast a date that
        // NTP steps forward by those two hours. The loop looks again after a minute at most.
        Assert.Equal(Router.DateRecheck, reconciler.NextWait(clock.GetUtcNow(), TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(20), reconciler.NextWait(clock.GetUtcNow().AddHours(2).AddSeconds(-20), TimeSpan.Zero));
        clock.StepWall(TimeSpan.FromHours(2));
        reconciler.ExpirePriorities(); // what that timer's Tick does
        Assert.False(reconciler.Settings.Devices.Single().Priority);
        Assert.Null(reconciler.NextWait(clock.GetUtcNow(), TimeSpan.Zero));
    }

    [Fact]
    public void Priority_with_an_expiry_turns_itself_off()
    {
        Assert.True(reconciler.SetPriority(Phone, true, clock.GetUtcNow().AddHours(1)).Succeeded);
        reconciler.ExpirePriorities();
        Assert.True(reconciler.Settings.Devices.Single().Priority);
        clock.Advance(TimeSpan.FromMinutes(61));
        reconciler.ExpirePriorities();
        var d = reconciler.Settings.Devices.Single();
        Assert.False(d.Priority);
        Assert.Null(d.PriorityUntil);
        Assert.DoesNotContain("vip_macs {", firewall.Sets);
    }

    /// <summary>The expiry's Tick ends the priority in the settings at once and the sets at the
    /// burst's end: the published snapshot must not say "off" while the kernel still has the lane
    /// (the namespace tier's Priority_with_an_expiry_turns_itself_off caught that window in CI).</summary>
    [Fact]
    public void An_expired_priority_is_shown_off_only_once_its_sets_are_applied()
    {
        Assert.True(reconciler.SetPriority(Phone, true, clock.GetUtcNow().AddHours(1)).Succeeded);
        bool? shownWhileApplying = null;
        firewall.Applying = () => shownWhileApplying ??= reconciler.Settings.Devices.Single().Priority;
        clock.Advance(TimeSpan.FromMinutes(61));
        reconciler.ExpirePriorities();
        Assert.True(shownWhileApplying, "the API showed the priority off before the lane was taken out of the kernel");
        Assert.False(reconciler.Settings.Devices.Single().Priority);
        Assert.DoesNotContain("vip_macs {", firewall.Sets);
    }

    [Fact]
    public void Bad_priority_requests_name_the_field_and_change_nothing()
    {
        int saves = store.Saves;
        // The MAC is parsed once, where the request comes in; the loop only sees parsed ones.
        Assert.False(Router.TryParseDevice("02:00:00:00:01", out _, out var refused));
        Assert.Equal("mac", refused.Errors.Single().Field);
        Assert.Equal("until", reconciler.SetPriority(Phone, true, clock.GetUtcNow().AddSeconds(-1)).Errors.Single().Field);
        Assert.Equal(saves, store.Saves);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(100_000_001L)]
    public void Absurd_rates_are_refused(long kbit)
    {
        var bad = reconciler.Settings with { Qos = new QosSettings { UploadKbit = kbit } };
        Assert.Equal("qos.uploadKbit", reconciler.TryChange(bad).Errors.Single().Field);
        Assert.False(traffic.Plan!.ShaperOn);
    }

    [Fact]
    public void Devices_added_before_they_are_seen_show_in_the_list()
    {
        Assert.True(reconciler.AddDevice(MacAddress.Parse("02:00:00:00:09:09"), "tablet").Succeeded);
        Assert.True(reconciler.KnowsDevice(MacAddress.Parse("02:00:00:00:09:09")));
        var view = registry.View(reconciler.Settings.Devices);
        Assert.Contains(view, d => d.Mac == "02:00:00:00:09:09" && d.Name == "tablet" && d.LastSeen is null);
    }
}
