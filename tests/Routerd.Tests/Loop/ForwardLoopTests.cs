using System.Net;
using Routerd.Core.Devices;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Xunit;

namespace Routerd.Tests.Loop;

/// <summary>Port forwards through the loop: an edit is stored and moves the forward map's
/// elements only; the map follows the device's address; bad input changes nothing.</summary>
public class ForwardLoopTests
{
    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1"] };
    readonly FakeFirewall firewall = new();
    readonly FakeTraffic traffic = new();
    readonly FakeDns dns = new();
    readonly FakeNetwork network = new("lo", "wan0", "lan1", "br-lan") { Macs = [default, MacAddress.Parse("02:aa:00:00:00:01"), MacAddress.Parse("02:aa:00:00:00:02")] };
    readonly MemoryStore store = new();
    readonly ManualClock clock = new();
    readonly DeviceRegistry registry;
    readonly Router router;
    static readonly MacAddress Nas = MacAddress.Parse("02:00:00:00:02:01");

    public ForwardLoopTests()
    {
        registry = new DeviceRegistry(clock);
        router = TestRouter.New(board, store, network, firewall, traffic, dns, registry: registry, clock: clock, hooks: new HookTarget(["routerd"], "/s"));
        router.Start(p => p);
        registry.SetLeases([new DhcpLease(null, Nas, "192.168.1.50", "nas")]);
    }

    static PortForward Web => new() { Protocol = "tcp", WanPort = 8443, LanPort = 443, Mac = Nas.ToString(), Description = "NAS" };

    [Fact]
    public async Task Adding_a_forward_stores_it_and_loads_map_elements_only()
    {
        int loads = firewall.Loads, checks = firewall.Checks, restarts = dns.Restarts, saves = store.Saves;
        var tc = traffic.Plan;
        var added = await router.EditForwardAsync(null, Web);
        Assert.True(added.Result.Succeeded);
        Assert.Equal(1, added.Id);
        Assert.Equal(loads, firewall.Loads);   // the ruleset was not reloaded
        Assert.Equal(checks, firewall.Checks); // nor checked: elements only
        Assert.Equal(restarts, dns.Restarts);
        Assert.Same(tc, traffic.Plan);
        Assert.Equal(saves + 1, store.Saves);
        Assert.Contains("add element inet routerd forward_v4 { tcp . 8443 : 192.168.1.50 . 443 }", firewall.Sets);
        Assert.Equal(1, store.Stored!.Forwards.Single().Id);

        var second = await router.EditForwardAsync(null, Web with { WanPort = 2222, LanPort = 22 });
        Assert.Equal(2, second.Id);
        Assert.Contains("tcp . 2222 : 192.168.1.50 . 22", firewall.Sets);
        Assert.Equal([added.Id, second.Id], router.Forwards().Targets.Select(t => t.Forward.Id));
    }

    /// <summary>The map's group of a forward that did not change is the same object from one flush to
    /// the next (an edit beside a thousand forwards makes one group, not a thousand new ones to keep);
    /// a forward whose device moved gets a new group.</summary>
    [Fact]
    public async Task An_edit_reuses_the_map_groups_of_the_forwards_it_did_not_touch()
    {
        var nas2 = MacAddress.Parse("02:00:00:00:02:02");
        registry.SetLeases([new DhcpLease(null, Nas, "192.168.1.50", "nas"), new DhcpLease(null, nas2, "192.168.1.51", "nas2")]);
        await router.EditForwardAsync(null, Web);
        await router.EditForwardAsync(null, Web with { WanPort = 2222, LanPort = 22, Mac = nas2.ToString() });
        var before = ForwardGroups();
        await router.EditForwardAsync(null, Web with { WanPort = 2223, LanPort = 23 });
        var after = ForwardGroups();
        Assert.Equal(3, after.Count);
        Assert.Same(before[0], after[0]);
        Assert.Same(before[1], after[1]);

        registry.SetLeases([new DhcpLease(null, Nas, "192.168.1.77", "nas"), new DhcpLease(null, nas2, "192.168.1.51", "nas2")]);
        router.RefreshVipAddresses();
        var moved = ForwardGroups();
        Assert.NotSame(after[0], moved[0]);
        Assert.Same(after[1], moved[1]);
        Assert.NotSame(after[2], moved[2]);
        Assert.Contains("tcp . 8443 : 192.168.1.77 . 443", firewall.Sets);
        Assert.Contains("tcp . 2222 : 192.168.1.51 . 22", firewall.Sets);
    }

    IReadOnlyList<ElementGroup> ForwardGroups() => firewall.Elements!.Containers.Single(c => c.Name == ForwardMap.ContainerName).Groups;

    [Fact]
    public async Task A_device_that_renews_to_another_address_takes_its_forward_along()
    {
        await router.EditForwardAsync(null, Web);
        registry.SetLeases([new DhcpLease(null, Nas, "192.168.1.77", "nas")]);
        router.RefreshVipAddresses();
        Assert.Contains("tcp . 8443 : 192.168.1.77 . 443", firewall.Sets);
        Assert.DoesNotContain("192.168.1.50", firewall.Sets);
        Assert.Equal(IPAddress.Parse("192.168.1.77"), router.Forwards().Targets.Single().Address);

        // Gone from the LAN (no lease, no neighbour): the forward leads nowhere and says why.
        registry.SetLeases([]);
        router.RefreshVipAddresses();
        Assert.DoesNotContain("add element inet routerd forward_v4", firewall.Sets);
        Assert.Equal(ForwardTarget.NoAddress, router.Forwards().Targets.Single().Reason);
    }

    /// <summary>IPv6: the forward opens its LAN port at each global address the neighbour table
    /// shows the device using, a temporary one as it appears, with elements only (no ruleset load).</summary>
    [Fact]
    public async Task On_ipv6_the_forward_is_a_pinhole_at_each_global_address_and_follows_them()
    {
        await router.EditForwardAsync(null, Web);
        int loads = firewall.Loads;
        registry.Apply(new NeighbourInfo(4, IPAddress.Parse("2001:db8:1:2::201"), Nas, NeighbourState.Reachable), deleted: false);
        registry.Apply(new NeighbourInfo(4, IPAddress.Parse("fe80::201"), Nas, NeighbourState.Reachable), deleted: false);
        router.RefreshVipAddresses();
        Assert.Contains("add element inet routerd forward_v6 { 2001:db8:1:2::201 . tcp . 443 }", firewall.Sets);
        Assert.DoesNotContain(". tcp . 8443", firewall.Sets); // the LAN port, never the WAN port

        registry.Apply(new NeighbourInfo(4, IPAddress.Parse("2001:db8:1:2:5c3a:91e2:7b4d:10f6"), Nas, NeighbourState.Reachable), deleted: false);
        router.RefreshVipAddresses();
        Assert.Contains("add element inet routerd forward_v6 { 2001:db8:1:2:5c3a:91e2:7b4d:10f6 . tcp . 443, 2001:db8:1:2::201 . tcp . 443 }", firewall.Sets);
        Assert.Equal(["2001:db8:1:2:5c3a:91e2:7b4d:10f6", "2001:db8:1:2::201"], router.Pinholes().Holes.Single().Addresses.Select(a => a.ToString()));

        // The temporary address is gone from the neighbour table: its pinhole closes.
        registry.Apply(new NeighbourInfo(4, IPAddress.Parse("2001:db8:1:2:5c3a:91e2:7b4d:10f6"), Nas, NeighbourState.Stale), deleted: true);
        router.RefreshVipAddresses();
        Assert.DoesNotContain("5c3a", firewall.Sets);

        Assert.True((await router.EditForwardAsync(1, Web with { Enabled = false })).Result.Succeeded);
        Assert.DoesNotContain("add element inet routerd forward_v6", firewall.Sets);
        Assert.Empty(router.Pinholes().Holes.Single().Addresses);
        Assert.Equal(loads, firewall.Loads);
    }

    [Fact]
    public async Task Disabling_and_deleting_take_the_elements_out()
    {
        var added = await router.EditForwardAsync(null, Web);
        Assert.True((await router.EditForwardAsync(added.Id, Web with { Enabled = false })).Result.Succeeded);
        Assert.DoesNotContain("add element inet routerd forward_v4", firewall.Sets);
        Assert.Equal(ForwardTarget.Disabled, router.Forwards().Targets.Single().Reason);
        Assert.False(store.Stored!.Forwards.Single().Enabled);

        Assert.True((await router.EditForwardAsync(added.Id, Web)).Result.Succeeded);
        Assert.Contains("tcp . 8443", firewall.Sets);
        Assert.True((await router.EditForwardAsync(added.Id, null)).Result.Succeeded);
        Assert.Empty(store.Stored!.Forwards);
        Assert.DoesNotContain("tcp . 8443", firewall.Sets);
        Assert.True((await router.EditForwardAsync(added.Id, null)).NotFound);
        Assert.True((await router.EditForwardAsync(99, Web)).NotFound);
    }

    [Fact]
    public async Task Bad_forwards_are_refused_and_nothing_is_stored_or_applied()
    {
        await router.EditForwardAsync(null, Web);
        int saves = store.Saves;
        string? sets = firewall.Sets;
        var overlap = await router.EditForwardAsync(null, Web with { WanPort = 8440, WanPortEnd = 8450, LanPort = null });
        Assert.Equal("forwards[1].wanPort", overlap.Result.Errors.Single().Field);
        var router_ = await router.EditForwardAsync(null, Web with { WanPort = 9000, Mac = "02:aa:00:00:00:02" });
        Assert.Equal("forwards[1].mac", router_.Result.Errors.Single().Field);
        Assert.Equal("forwards[0].wanPort", (await router.EditForwardAsync(1, Web with { WanPort = 0 })).Result.Errors.Single().Field);
        // An edited forward that now overlaps a later one is named itself, with the other's id.
        Assert.True((await router.EditForwardAsync(null, Web with { WanPort = 9000, LanPort = 90 })).Result.Succeeded);
        saves = store.Saves;
        sets = firewall.Sets;
        var moved = (await router.EditForwardAsync(1, Web with { WanPort = 9000 })).Result.Errors.Single();
        Assert.Equal("forwards[0].wanPort", moved.Field);
        Assert.Contains("forward 2", moved.Message);
        Assert.Equal((saves, sets), (store.Saves, firewall.Sets));
        Assert.Equal([8443, 9000], router.Settings.Forwards.Select(f => f.WanPort));
    }

    [Fact]
    public async Task The_map_cannot_be_loaded_then_the_forward_is_not_kept()
    {
        var broken = new FailingSets(firewall);
        using var r = TestRouter.New(board, new MemoryStore(), network, broken, traffic, dns, registry: registry, clock: clock, hooks: new HookTarget(["routerd"], "/s"));
        r.Start(p => p);
        broken.Fail = true;
        var added = await r.EditForwardAsync(null, Web);
        Assert.Equal("firewall/NFT_FAILED", added.Result.FailureCode);
        Assert.Empty(r.Settings.Forwards);
    }

    /// <summary>A firewall whose element loads fail (the table was removed under us and the reload failed too).</summary>
    sealed class FailingSets(FakeFirewall inner) : IFirewall
    {
        public bool Fail;
        public string? Check(string ruleset, SetElements sets) => inner.Check(ruleset, sets);
        public bool Apply(string ruleset, SetElements sets, bool reload = false) =>
            Fail ? throw new ApplyException("firewall/NFT_FAILED", "simulated: the map could not be loaded") : inner.Apply(ruleset, sets, reload);
    }
}
