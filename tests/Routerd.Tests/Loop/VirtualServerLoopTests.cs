using System.Net;
using Routerd.Core.Devices;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.VirtualServers;
using Routerd.Core.Wan;
using Xunit;

namespace Routerd.Tests.Loop;

/// <summary>Virtual servers through the loop: an edit is a checked commit; creating a server loads
/// its chain, editing one moves map elements only; health verdicts, a device's new address and
/// (weighted least-connections on nftables) connection counts move slot elements or IPVS weights
/// only; a forward cannot take a server's port.</summary>
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
        Assert.Contains("add element inet routerd virtual_servers { tcp . 80 : jump vs_1 }", firewall.Sets);
        Assert.Contains("numgen inc mod 240 map @vs_1_backends", firewall.Loaded);
        // Smooth weighted round-robin over the 240 slots: 3, 2, 1 shares, spread.
        Assert.Contains("add element inet routerd vs_1_backends { 0 : 192.168.1.30 . 80, 1 : 192.168.1.11 . 8080, 2 : 192.168.1.10 . 8080, "
            + "3 : 192.168.1.30 . 80, 4 : 192.168.1.11 . 8080, 5 : 192.168.1.30 . 80, 6 : 192.168.1.30 . 80,", firewall.Sets);
        Assert.Equal(new Dictionary<string, int> { ["192.168.1.30"] = 120, ["192.168.1.11"] = 80, ["192.168.1.10"] = 40 }, SlotsPerBackend());
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
        // 240 slots still (the modulus is in the ruleset): the other two share them 1:3.
        Assert.Contains("add element inet routerd vs_1_backends { 0 : 192.168.1.30 . 80, 1 : 192.168.1.10 . 8080, 2 : 192.168.1.30 . 80, "
            + "3 : 192.168.1.30 . 80, 4 : 192.168.1.30 . 80, 5 : 192.168.1.10 . 8080,", firewall.Sets);
        Assert.Equal(new Dictionary<string, int> { ["192.168.1.30"] = 180, ["192.168.1.10"] = 60 }, SlotsPerBackend());
        var web2 = router.VirtualServers().Servers.Single().Backends[1];
        Assert.Equal(BackendHealth.Down, web2.Health);
        Assert.False(web2.InPool);

        await router.SendAsync(new BackendsProbed([(1, $"{Web2}:8080", true)]));
        router.RefreshVipAddresses(); // waits for the burst's elements
        Assert.Contains("1 : 192.168.1.11 . 8080", firewall.Sets);
        Assert.Equal(loads, firewall.Loads);
    }

    /// <summary>How many of vs_1's slots each backend address holds in the loaded elements.</summary>
    Dictionary<string, int> SlotsPerBackend()
    {
        const string Add = "add element inet routerd vs_1_backends { ";
        var line = firewall.Sets!.Split('\n').Single(l => l.StartsWith(Add));
        return line[Add.Length..^2].Split(", ").Select(e => e.Split(" : ")[1].Split(" . ")[0])
            .GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>Editing a server — weights, a backend, its port, its protocol, off and on — moves map
    /// elements only: the ruleset names which servers exist, nothing an owner edits.</summary>
    [Fact]
    public async Task Editing_a_server_moves_elements_and_loads_no_ruleset()
    {
        using var router = Start(Balancers.Nftables);
        await router.EditVirtualServerAsync(null, Farm);
        int loads = firewall.Loads, checks = firewall.Checks;
        var edits = new (string What, VirtualServer Server, string Expect)[]
        {
            ("weights", Farm with { Backends = [.. Farm.Backends.Select(b => b with { Weight = 1 })] }, "vs_1_backends { 0 : 192.168.1.10 . 8080, 1 : 192.168.1.11 . 8080, 2 : 192.168.1.30 . 80, 3 :"),
            ("a backend less", Farm with { Backends = [.. Farm.Backends.Take(2)] }, "vs_1_backends { 0 : 192.168.1.11 . 8080, 1 : 192.168.1.10 . 8080, 2 : 192.168.1.11 . 8080, 3 :"),
            ("port", Farm with { WanPort = 8081 }, "virtual_servers { tcp . 8081 : jump vs_1 }"),
            ("protocol", Farm with { Protocol = "udp" }, "virtual_servers { udp . 80 : jump vs_1 }"),
            ("off", Farm with { Enabled = false }, "flush map inet routerd virtual_servers\nflush map inet routerd vs_1_backends\n"),
            ("on", Farm, "virtual_servers { tcp . 80 : jump vs_1 }"),
        };
        foreach (var (what, server, expect) in edits)
        {
            var edited = await router.EditVirtualServerAsync(1, server);
            Assert.True(edited.Result.Succeeded, $"{what}: {string.Join("; ", edited.Result.Errors)}");
            Assert.Contains(expect, firewall.Sets);
            Assert.True(loads == firewall.Loads && checks == firewall.Checks, $"{what}: the ruleset was loaded or checked");
        }
        // A server more is a chain more.
        await router.EditVirtualServerAsync(null, Farm with { WanPort = 81 });
        Assert.Equal(loads + 1, firewall.Loads);
    }

    /// <summary>Weighted least-connections on nftables: after a count, a backend holding many
    /// connections keeps few slots and an idle one takes most (weight / (connections + 1)); a
    /// round-robin server ignores counts; none of it loads the ruleset.</summary>
    [Fact]
    public async Task On_nftables_least_connections_shares_the_slots_by_the_connections_counted()
    {
        using var router = Start(Balancers.Nftables);
        var two = Farm with { Scheduler = "wlc", Backends = [.. Farm.Backends.Take(2).Select(b => b with { Weight = 1 })] };
        await router.EditVirtualServerAsync(null, two);
        Assert.True(router.BalancesByConnections());
        int loads = firewall.Loads;
        Assert.Equal(new Dictionary<string, int> { ["192.168.1.10"] = 120, ["192.168.1.11"] = 120 }, SlotsPerBackend());

        var busy = new Dictionary<(int, IPAddress, int), int> { [(1, IPAddress.Parse("192.168.1.10"), 8080)] = 20, [(1, IPAddress.Parse("192.168.1.11"), 8080)] = 0 };
        await router.SendAsync(new BackendsCounted(busy));
        router.RefreshVipAddresses(); // waits for the burst's elements
        var slots = SlotsPerBackend();
        Assert.True(slots["192.168.1.11"] >= 228 && slots["192.168.1.10"] >= 1, $"idle {slots["192.168.1.11"]}, busy {slots["192.168.1.10"]} of 240");
        Assert.Equal(loads, firewall.Loads);

        // Equal again: equal shares. Round-robin: counts are ignored.
        await router.SendAsync(new BackendsCounted(new Dictionary<(int, IPAddress, int), int> { [(1, IPAddress.Parse("192.168.1.10"), 8080)] = 3, [(1, IPAddress.Parse("192.168.1.11"), 8080)] = 3 }));
        router.RefreshVipAddresses();
        Assert.Equal(new Dictionary<string, int> { ["192.168.1.10"] = 120, ["192.168.1.11"] = 120 }, SlotsPerBackend());
        await router.EditVirtualServerAsync(1, two with { Scheduler = "rr" });
        Assert.False(router.BalancesByConnections());
        await router.SendAsync(new BackendsCounted(busy));
        router.RefreshVipAddresses();
        Assert.Equal(new Dictionary<string, int> { ["192.168.1.10"] = 120, ["192.168.1.11"] = 120 }, SlotsPerBackend());
        Assert.Equal(loads, firewall.Loads);
    }

    [Fact]
    public async Task On_ipvs_the_ruleset_only_marks_and_ipvs_gets_the_destinations_a_dead_one_at_weight_0()
    {
        using var router = Start(Balancers.Ipvs);
        var added = await router.EditVirtualServerAsync(null, Farm with { Scheduler = "wlc" });
        Assert.True(added.Result.Succeeded);
        Assert.Contains("add element inet routerd virtual_server_marks { tcp . 80 : 0x52440001 }", firewall.Sets);
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
