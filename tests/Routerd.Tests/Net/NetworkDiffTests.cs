using System.Net;
using Routerd.Core.Net;
using Xunit;

namespace Routerd.Tests.Net;

/// <summary>A kernel whose state is text (after Tailscale's router_linux_test.go): it runs the
/// diff's `ip -batch` commands the way iproute2 would and shows what it holds as sorted lines.</summary>
sealed class TextKernel
{
    readonly List<LinkInfo> links = [];
    readonly HashSet<(string Dev, string Addr)> addresses = [];
    readonly HashSet<(string Dev, string Gw)> defaults = [];

    public TextKernel(params string[] ports)
    {
        // Each port has its own address (02:00:00:00:00:<index>), as a NIC has one burnt in.
        foreach (var p in ports) links.Add(new LinkInfo(links.Count + 1, p, new MacAddress(0x02_00_00_00_00_00UL + (ulong)links.Count + 1), false, true, 1500, null, "veth"));
    }

    /// <summary>Another program made an interface (hostapd the guest Wi-Fi's), up.</summary>
    public void Appear(string name) => links.Add(new LinkInfo(links.Count + 1, name, new MacAddress(0x02_00_00_00_00_00UL + (ulong)links.Count + 1), true, true, 1500, null, "wlan"));

    public MacAddress? Mac(string name) => links.SingleOrDefault(l => l.Name == name)?.Mac;
    public bool Has(string name) => links.Any(l => l.Name == name);
    int next = 100;

    LinkInfo Link(string name) => links.Single(l => l.Name == name);
    void Replace(LinkInfo l) => links[links.FindIndex(x => x.Index == l.Index)] = l;

    public ObservedNetwork Observe() => new(links.ToList(),
        addresses.Select(a => { var n = Ipv4Network.Parse(a.Addr); return new AddressInfo(Link(a.Dev).Index, n.Ip, n.PrefixLength, AddressScope.Universe); }).ToList(),
        defaults.Select(d => new RouteInfo(null, IPAddress.Parse(d.Gw), Link(d.Dev).Index, 3)).ToList());

    public void Run(IEnumerable<string> commands)
    {
        foreach (var c in commands)
        {
            switch (c.Split(' '))
            {
                case ["link", "add", var b, "type", "bridge"]: links.Add(new LinkInfo(links.Count + 1, b, null, false, false, 1500, null, "bridge")); break;
                case ["link", "add", var i, "type", "ifb"]: links.Add(new LinkInfo(links.Count + 1, i, null, false, false, 1500, null, "ifb")); break;
                case ["link", "set", "dev", var p, "master", var b]: Replace(Link(p) with { MasterIndex = Link(b).Index }); break;
                case ["link", "set", "dev", var d, "up"]: Replace(Link(d) with { AdminUp = true }); break;
                case ["link", "set", "dev", var d, "down"]:
                    // Its VLAN devices go down with it (the kernel's vlan_device_event).
                    foreach (var v in links.Where(l => l.Kind == "vlan" && l.Name.StartsWith(d + ".", StringComparison.Ordinal)).ToList()) Replace(v with { AdminUp = false });
                    Replace(Link(d) with { AdminUp = false });
                    break;
                case ["link", "add", "link", var p, "name", var n, "type", "vlan", "id", _]:
                    Assert.False(Has(n), $"{c}: exists");
                    links.Add(new LinkInfo(next++, n, Link(p).Mac, false, true, 1500, null, "vlan"));
                    break;
                case ["link", "del", "dev", var n]: links.Remove(Link(n)); break;
                case ["link", "set", "dev", var d, "address", var m]:
                    // Like the Pi 4's bcmgenet: no new address while up.
                    Assert.False(Link(d).AdminUp, $"{c}: the device is up");
                    // A VLAN device that still has its port's address takes the port's new one (when it is next opened).
                    var old = Link(d).Mac;
                    foreach (var v in links.Where(l => l.Kind == "vlan" && l.Name.StartsWith(d + ".", StringComparison.Ordinal) && l.Mac == old).ToList())
                        Replace(v with { Mac = MacAddress.Parse(m) });
                    Replace(Link(d) with { Mac = MacAddress.Parse(m) });
                    break;
                case ["addr", "add", var a, "dev", var d]: Assert.True(addresses.Add((d, a)), $"{c}: exists"); break;
                case ["addr", "del", var a, "dev", var d]:
                    Assert.True(addresses.Remove((d, a)), $"{c}: no such address");
                    // The kernel takes the routes that left through that subnet with the address.
                    defaults.RemoveWhere(r => r.Dev == d && Ipv4Network.Parse(a).Contains(IPAddress.Parse(r.Gw)));
                    break;
                case ["route", "del", "default", "via", var g, "dev", var d]: Assert.True(defaults.Remove((d, g)), $"{c}: no such route"); break;
                case ["route", "replace", "default", "via", var g, "dev", var d]: defaults.Clear(); defaults.Add((d, g)); break;
                default: throw new InvalidOperationException($"the text kernel does not know '{c}'");
            }
        }
    }

    /// <summary>Something routerd did not do: an administrator's address or route.</summary>
    public void Foreign(string dev, string address) => addresses.Add((dev, address));
    public void ForeignDefault(string dev, string gateway) => defaults.Add((dev, gateway));

    public bool IsUp(string name) => Link(name).AdminUp;

    public string State() => string.Join('\n',
        links.Select(l => $"link {l.Name}{(l.AdminUp ? " up" : "")}{(l.MasterIndex is { } m ? " master " + links.Single(x => x.Index == m).Name : "")}")
            .Concat(addresses.Select(a => $"addr {a.Addr} dev {a.Dev}")).Concat(defaults.Select(d => $"default via {d.Gw} dev {d.Dev}"))
            .Order(StringComparer.Ordinal));
}

/// <summary>The network diff is pure: (plan, observed, owned) → exact commands, tested as
/// transitions from one state to the next (issue 16, item 4), with ownership explicit.</summary>
public class NetworkDiffTests
{
    static NetworkPlan Plan(string lan = "192.168.1.1/24", string? wan = null, string? gateway = null, string? fallback = null)
    {
        var addresses = new List<InterfaceAddress> { new("br-lan", Ipv4Network.Parse(lan)) };
        if (fallback is not null) addresses.Add(new("br-lan", Ipv4Network.Parse(fallback)));
        if (wan is not null) addresses.Add(new("wan0", Ipv4Network.Parse(wan)));
        DefaultRoute? route = gateway is null ? null : new("wan0", Ipv4Network.Parse(gateway + "/32").Address);
        return new NetworkPlan("br-lan", ["lan1", "lan2"], ["wan0", "lan1", "lan2", "br-lan"], addresses, route);
    }

    readonly TextKernel kernel = new("lo", "wan0", "lan1", "lan2");
    NetworkOwnership owned = NetworkOwnership.None;

    /// <summary>One transition: the commands the diff asks for, run on the text kernel.</summary>
    IReadOnlyList<string> Step(NetworkPlan plan)
    {
        var change = NetworkDiff.Compute(plan, kernel.Observe(), owned);
        kernel.Run(change.Commands);
        owned = change.Owned;
        return change.Commands;
    }

    [Fact]
    public void First_apply_builds_the_bridge_then_addresses_then_the_route()
    {
        Assert.Equal([
            "link add br-lan type bridge",
            "link set dev lan1 master br-lan",
            "link set dev lan2 master br-lan",
            "link set dev wan0 up",
            "link set dev lan1 up",
            "link set dev lan2 up",
            "link set dev br-lan up",
            "addr add 192.168.1.1/24 dev br-lan",
            "addr add 203.0.113.10/24 dev wan0",
            "route replace default via 203.0.113.1 dev wan0",
        ], Step(Plan(wan: "203.0.113.10/24", gateway: "203.0.113.1")));
        Assert.Empty(Step(Plan(wan: "203.0.113.10/24", gateway: "203.0.113.1")));
    }

    [Fact]
    public void A_new_lease_replaces_the_old_address_and_route()
    {
        Step(Plan(wan: "203.0.113.10/24", gateway: "203.0.113.1"));
        Assert.Equal([
            "addr del 203.0.113.10/24 dev wan0",
            "addr add 198.51.100.7/24 dev wan0",
            "route replace default via 198.51.100.1 dev wan0",
        ], Step(Plan(wan: "198.51.100.7/24", gateway: "198.51.100.1")));
    }

    /// <summary>DHCP to a static address behind the same gateway (seen in the namespace tier: the
    /// router lost its default route): the kernel drops the route with the old address, so it is written again.</summary>
    [Fact]
    public void A_new_address_behind_the_same_gateway_keeps_the_default_route()
    {
        Step(Plan(wan: "203.0.113.42/24", gateway: "203.0.113.1"));
        Assert.Equal([
            "addr del 203.0.113.42/24 dev wan0",
            "addr add 203.0.113.60/24 dev wan0",
            "route replace default via 203.0.113.1 dev wan0",
        ], Step(Plan(wan: "203.0.113.60/24", gateway: "203.0.113.1")));
    }

    [Fact]
    public void A_lost_lease_takes_the_route_before_the_address()
    {
        Step(Plan(wan: "203.0.113.10/24", gateway: "203.0.113.1"));
        Assert.Equal([
            "route del default via 203.0.113.1 dev wan0",
            "addr del 203.0.113.10/24 dev wan0",
        ], Step(Plan()));
    }

    [Fact]
    public void A_pending_lan_change_keeps_the_old_address_until_it_leaves_the_plan()
    {
        Step(Plan());
        Assert.Equal(["addr add 10.9.0.1/24 dev br-lan"], Step(Plan("10.9.0.1/24", fallback: "192.168.1.1/24")) is var s ? s.Where(c => c.StartsWith("addr", StringComparison.Ordinal)).ToList() : null);
        Assert.Equal(["addr del 192.168.1.1/24 dev br-lan"], Step(Plan("10.9.0.1/24")));
    }

    [Fact]
    public void Addresses_and_routes_routerd_did_not_add_are_left_alone()
    {
        kernel.Foreign("wan0", "100.64.0.2/10");
        Step(Plan(wan: "203.0.113.10/24", gateway: "203.0.113.1"));
        kernel.Foreign("br-lan", "172.16.5.1/24");
        Assert.Equal(["addr del 203.0.113.10/24 dev wan0", "route del default via 203.0.113.1 dev wan0"],
            Step(Plan()).Order(StringComparer.Ordinal));
        Assert.Contains("addr 100.64.0.2/10 dev wan0", kernel.State());
        Assert.Contains("addr 172.16.5.1/24 dev br-lan", kernel.State());

        // Somebody else's default route (added by hand while the WAN was down) stays too.
        kernel.ForeignDefault("wan0", "100.64.0.1");
        Assert.Empty(Step(Plan()));
        Assert.Contains("default via 100.64.0.1 dev wan0", kernel.State());
    }

    [Fact]
    public void An_address_routerd_wants_that_is_already_there_becomes_its_own()
    {
        kernel.Foreign("wan0", "203.0.113.10/24");
        Assert.DoesNotContain("addr add 203.0.113.10/24 dev wan0", Step(Plan(wan: "203.0.113.10/24")));
        Assert.Equal(["addr del 203.0.113.10/24 dev wan0"], Step(Plan()));
    }

    [Fact]
    public void An_address_on_an_interface_another_program_makes_goes_on_when_it_appears()
    {
        var plan = Plan() with { Addresses = [.. Plan().Addresses, new("wlan-guest", Ipv4Network.Parse("192.168.2.1/24"))] };
        var before = NetworkDiff.Compute(plan, kernel.Observe(), owned);
        Assert.DoesNotContain(before.Commands, c => c.Contains("wlan-guest"));
        Assert.Empty(before.Missing); // not a port of the plan's: nothing is wrong
        kernel.Run(before.Commands);
        owned = before.Owned;
        kernel.Appear("wlan-guest");
        Assert.Equal(["addr add 192.168.2.1/24 dev wlan-guest"], Step(plan));
        Assert.Empty(Step(plan));
    }

    [Fact]
    public void A_missing_lan_port_leaves_out_only_that_port()
    {
        var small = new TextKernel("lo", "wan0", "lan1");
        var change = NetworkDiff.Compute(Plan(wan: "203.0.113.10/24", gateway: "203.0.113.1"), small.Observe(), NetworkOwnership.None);
        Assert.Equal(["lan2"], change.Missing);
        Assert.Equal([
            "link add br-lan type bridge",
            "link set dev lan1 master br-lan",
            "link set dev wan0 up",
            "link set dev lan1 up",
            "link set dev br-lan up",
            "addr add 192.168.1.1/24 dev br-lan",
            "addr add 203.0.113.10/24 dev wan0",
            "route replace default via 203.0.113.1 dev wan0",
        ], change.Commands);
    }

    [Fact]
    public void Without_its_wan_port_the_router_still_serves_its_lan()
    {
        // A board whose WAN adapter is unplugged (or, in the image tier, a raspi3b without
        // Ethernet): the LAN gets its address, so the web UI can listen; nothing is put on, or
        // owned through, the missing device.
        var noWan = new TextKernel("lo", "lan1", "lan2");
        var change = NetworkDiff.Compute(Plan(wan: "203.0.113.10/24", gateway: "203.0.113.1"), noWan.Observe(), NetworkOwnership.None);
        Assert.Equal(["wan0"], change.Missing);
        Assert.DoesNotContain(change.Commands, c => c.Contains("wan0"));
        noWan.Run(change.Commands);
        Assert.Contains("addr 192.168.1.1/24 dev br-lan", noWan.State());
        Assert.Equal("# routerd: addresses and routes it added (only these are removed)\naddr 192.168.1.1/24 dev br-lan\n", change.Owned.ToText());
        Assert.Empty(NetworkDiff.Compute(Plan(wan: "203.0.113.10/24", gateway: "203.0.113.1"), noWan.Observe(), change.Owned).Commands);
    }

    [Fact]
    public void The_ownership_record_reads_back_what_it_wrote()
    {
        var o = new NetworkOwnership(new HashSet<InterfaceAddress> { new("br-lan", Ipv4Network.Parse("192.168.1.1/24")), new("wan0", Ipv4Network.Parse("203.0.113.10/24")) },
            new DefaultRoute("wan0", Ipv4Network.Parse("203.0.113.1/32").Address));
        var back = NetworkOwnership.Parse(o.ToText());
        Assert.Equal(o.ToText(), back.ToText());
        Assert.True(back.Addresses.SetEquals(o.Addresses));
        Assert.Empty(NetworkOwnership.Parse("addr nonsense\nroute default via 1.2.3 dev x\n").Addresses);
    }

    [Fact]
    public void Plans_in_random_order_always_end_in_exactly_the_plan_and_a_second_apply_does_nothing()
    {
        NetworkPlan[] plans =
        [
            Plan(), Plan(wan: "203.0.113.10/24", gateway: "203.0.113.1"), Plan(wan: "198.51.100.7/24", gateway: "198.51.100.1"),
            Plan("10.9.0.1/24", fallback: "192.168.1.1/24"), Plan("10.9.0.1/24", wan: "203.0.113.10/24", gateway: "203.0.113.1"),
            Plan(wan: "203.0.113.11/24"),
        ];
        kernel.Foreign("wan0", "100.64.0.2/10");
        var random = new Random(16);
        for (int i = 0; i < 300; i++)
        {
            var plan = plans[random.Next(plans.Length)];
            Step(plan);
            Assert.Empty(Step(plan));
            var expected = plan.Addresses.Select(a => $"addr {a.Address} dev {a.Device}").Append("addr 100.64.0.2/10 dev wan0")
                .Concat(plan.DefaultRoute is { } r ? [$"default via {Ipv4Network.Format(r.Gateway)} dev wan0"] : []);
            var actual = kernel.State().Split('\n').Where(l => !l.StartsWith("link", StringComparison.Ordinal));
            Assert.Equal(expected.Order(StringComparer.Ordinal), actual);
        }
    }
}
