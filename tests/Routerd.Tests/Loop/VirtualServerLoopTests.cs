using System.Net;
using Routerd.Core.Devices;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.VirtualServers;
using Routerd.Core.Wan;
using Xunit;

namespace Routerd.Tests.Loop;

/// <summary>Virtual servers through the loop: an edit is a checked commit (its chain is in the
/// ruleset); health verdicts and a device's new address move slot elements (nftables) or IPVS
/// weights only; a forward cannot take a server's port.</summary>
public class VirtualServerLoopTests
{
    readonly FakeFirewall firewall = new();
    readonly FakeIpvs ipvs = new();
    readonly MemoryStore store = new();
    readonly ManualClock clock = new();
    readonly DeviceRegistry registry;
    static readonly MacAddress Web1 = MacAddress.Parse("02:00:00:00:03:01"), Web2 = MacAddress.Parse("02:00:00:00:03:02");

    public VirtualServerLoopTests() => registry = new DeviceRegistry(clock);

    Router Start(string balancer)
    {
        var board = new Board { WanDevice = "wan0", LanPorts = ["lan1"], Balancer = balancer };
        var router = TestRouter.New(board, store, new FakeNetwork("lo", "wan0", "lan1", "br-lan"), firewall, registry: registry, clock: clock,
            hooks: new HookTarget(["routerd"], "/s"), ipvs: ipvs);
        router.Start(p => p);
        registry.SetLeases([new DhcpLease(null, Web1, "192.168.1.10", "web1"), new DhcpLease(null, Web2, "192.168.1.11", "web2")]);
        router.RefreshVipAddresses();
        return router;
    }

    static VirtualServer Farm => new()
    {
        Protocol = "tcp", WanPort = 80, Scheduler = "rr", Description = "web",
        Backends = [new() { Mac = Web1.ToString(), Port = 8080, Weight = 1 }, new() { Mac = Web2.ToString(), Port = 8080, Weight = 2 },
            new() { Address = "192.168.1.30", Port = 80, Weight = 3 }],
    };

    [Fact]
    public async Task A_server_is_stored_its_chain_loaded_and_its_slots_filled_by_weight()
    {
        using var router = Start(Balancers.Nftables);
        int loads = firewall.Loads;
        var added = await router.EditVirtualServerAsync(null, Farm);
        Assert.True(added.Result.Succeeded, string.Join("; ", added.Result.Errors));
        Assert.Equal(1, added.Id);
        Assert.Equal(loads + 1, firewall.Loads); // a new chain: the ruleset is loaded
        Assert.Contains("tcp . 80 : jump vs_1", firewall.Loaded);
        Assert.Contains("numgen inc mod 6 map @vs_1_backends", firewall.Loaded);
        // Smooth weighted round-robin over the six slots: 3, 2, 1 of them, spread.
        Assert.Contains("add element inet routerd vs_1_backends { 0 : 192.168.1.30 . 80, 1 : 192.168.1.11 . 8080, 2 : 192.168.1.10 . 8080, "
            + "3 : 192.168.1.30 . 80, 4 : 192.168.1.11 . 8080, 5 : 192.168.1.30 . 80 }", firewall.Sets);
        Assert.Equal(1, store.Stored!.VirtualServers.Single().Id);
        Assert.Null(ipvs.Plan); // the nftables balancer never touches IPVS
    }

    [Fact]
    public async Task A_dead_backend_leaves_the_slots_without_a_ruleset_load_and_comes_back_when_it_answers()
    {
        using var router = Start(Balancers.Nftables);
        await router.EditVirtualServerAsync(null, Farm);
        int loads = firewall.Loads, checks = firewall.Checks, saves = store.Saves;
        await router.SendAsync(new BackendsProbed([(1, $"{Web1}:8080", true), (1, $"{Web2}:8080", false), (1, "192.168.1.30:80", true)]));
        router.RefreshVipAddresses(); // waits for the burst's elements
        Assert.Equal(loads, firewall.Loads);
        Assert.Equal(checks, firewall.Checks);
        Assert.Equal(saves, store.Saves); // health is not a setting
        Assert.DoesNotContain("192.168.1.11", firewall.Sets);
        // Six slots still (the modulus is in the ruleset): the other two share them 1:3.
        Assert.Contains("add element inet routerd vs_1_backends { 0 : 192.168.1.30 . 80, 1 : 192.168.1.10 . 8080, 2 : 192.168.1.30 . 80, "
            + "3 : 192.168.1.30 . 80, 4 : 192.168.1.30 . 80, 5 : 192.168.1.10 . 8080 }", firewall.Sets);
        var web2 = router.VirtualServers().Servers.Single().Backends[1];
        Assert.Equal(BackendHealth.Down, web2.Health);
        Assert.False(web2.InPool);

        await router.SendAsync(new BackendsProbed([(1, $"{Web2}:8080", true)]));
        router.RefreshVipAddresses(); // waits for the burst's elements
        Assert.Contains("1 : 192.168.1.11 . 8080", firewall.Sets);
        Assert.Equal(loads, firewall.Loads);
    }

    [Fact]
    public async Task On_ipvs_the_ruleset_only_marks_and_ipvs_gets_the_destinations_a_dead_one_at_weight_0()
    {
        using var router = Start(Balancers.Ipvs);
        var added = await router.EditVirtualServerAsync(null, Farm with { Scheduler = "wlc" });
        Assert.True(added.Result.Succeeded);
        Assert.Contains("tcp . 80 : 0x52440001", firewall.Loaded);
        Assert.Contains("meta mark & 0xffff0000 == 0x52440000 accept", firewall.Loaded);
        Assert.DoesNotContain("numgen", firewall.Loaded);
        Assert.Equal("fwmark 0x52440001 wlc: 192.168.1.10:8080 w1, 192.168.1.11:8080 w2, 192.168.1.30:80 w3\n", ipvs.Plan!.Describe());

        int loads = firewall.Loads;
        await router.SendAsync(new BackendsProbed([(1, "192.168.1.30:80", false)]));
        router.RefreshVipAddresses(); // waits for the burst's elements
        Assert.Equal("fwmark 0x52440001 wlc: 192.168.1.10:8080 w1, 192.168.1.11:8080 w2, 192.168.1.30:80 w0\n", ipvs.Plan!.Describe());
        Assert.Equal(loads, firewall.Loads);

        // A device that renews moves its destination; deleting the server empties IPVS of routerd's services.
        registry.SetLeases([new DhcpLease(null, Web1, "192.168.1.12", "web1"), new DhcpLease(null, Web2, "192.168.1.11", "web2")]);
        router.RefreshVipAddresses();
        Assert.Contains("192.168.1.12:8080 w1", ipvs.Plan!.Describe());
        var deleted = await router.EditVirtualServerAsync(1, null);
        Assert.True(deleted.Result.Succeeded);
        Assert.Empty(ipvs.Plan!.Services);
        Assert.DoesNotContain("virtual_server_marks", firewall.Loaded);
    }

    [Fact]
    public async Task A_forward_onto_a_servers_port_is_refused_at_the_forward_and_the_reverse_at_the_server()
    {
        using var router = Start(Balancers.Nftables);
        await router.EditVirtualServerAsync(null, Farm);
        var forward = await router.EditForwardAsync(null, new PortForward { Protocol = "both", WanPort = 79, WanPortEnd = 81, Mac = Web1.ToString() });
        Assert.Contains(forward.Result.Errors, e => e.Field == "forwards[0].wanPort" && e.Message.Contains("virtual server 1"));
        Assert.Empty(store.Stored!.Forwards);

        await router.EditForwardAsync(null, new PortForward { Protocol = "udp", WanPort = 5000, Mac = Web1.ToString() });
        var server = await router.EditVirtualServerAsync(null, Farm with { Protocol = "udp", WanPort = 5000 });
        Assert.Contains(server.Result.Errors, e => e.Field == "virtualServers[1].wanPort" && e.Message.Contains("forward 1"));
        Assert.Single(store.Stored!.VirtualServers);
    }

    [Fact]
    public async Task Bad_input_names_the_field_and_changes_nothing()
    {
        using var router = Start(Balancers.Nftables);
        int saves = store.Saves, loads = firewall.Loads;
        var bad = Farm with
        {
            Backends = [new() { Mac = Web1.ToString(), Address = "192.168.1.10", Port = 80 }, new() { Address = "10.0.0.5", Port = 80 },
                new() { Address = "192.168.1.1", Port = 80 }, new() { Mac = Web2.ToString(), Port = 0, Weight = 101 }],
        };
        var r = await router.EditVirtualServerAsync(null, bad);
        Assert.Equal(["virtualServers[0].backends[0]", "virtualServers[0].backends[1].address", "virtualServers[0].backends[2].address",
            "virtualServers[0].backends[3].port", "virtualServers[0].backends[3].weight"], r.Result.Errors.Select(e => e.Field));
        Assert.Equal(saves, store.Saves);
        Assert.Equal(loads, firewall.Loads);
        var missing = await router.EditVirtualServerAsync(7, Farm);
        Assert.True(missing.NotFound);
    }
}
