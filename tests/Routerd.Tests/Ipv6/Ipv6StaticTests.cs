using System.Net;
using Routerd.Core.Ipv6;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Routerd.Tests.Loop;
using Routerd.Tests.Wan;
using Xunit;

namespace Routerd.Tests.Ipv6;

/// <summary>A static IPv6 WAN (a business line): the owner's address, gateway and routed prefix,
/// checked field by field, and what they become: no dhcpcd, the address and default route on the
/// egress, the LAN's /64 out of the routed prefix, the owner's values in the status.</summary>
public class Ipv6StaticRulesTests
{
    internal static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], RunDir = "/run/r", StateDir = "/var/lib/r" };
    static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    internal const string Ula = "fd12:3456:789a::/48";

    internal static Ipv6StaticSettings Good() => new()
    {
        Address = "2001:db8:1::2/64", Gateway = "2001:db8:1::1", RoutedPrefix = "2001:db8:200::/48", Dns = ["2001:db8:1::53"],
    };

    internal static Ipv6Settings Static(Ipv6StaticSettings? st = null) => new() { Ula = Ula, Mode = Ipv6Modes.Static, Static = st ?? Good() };

    internal static DesiredState State(WanSettings wan, Ipv6Settings v6) => DesiredStateBuilder.Build(
        FirstBoot.Settings(Board, _ => "hash") with { Wan = wan, Ipv6 = v6 }, Board, new SystemFacts(null, Now));

    static IReadOnlyList<FieldError> Errors(Ipv6Settings v6)
    {
        DesiredStateBuilder.TryBuild(FirstBoot.Settings(Board, _ => "hash") with { Ipv6 = v6 }, Board, new SystemFacts(null, Now), out var errors);
        return errors;
    }

    [Fact]
    public void Good_static_values_build_the_plan_and_the_lan_takes_the_routed_prefixs_first_64()
    {
        var plan = State(new() { Mode = WanModes.Dhcp, Device = "wan0" }, Static()).Ipv6.Static!;
        Assert.Equal("2001:db8:1::2/64", plan.Address.ToString());
        Assert.Equal("2001:db8:200::1/64", plan.LanPrefix.ToString());
        Assert.Equal(["2001:db8:1::53"], plan.Dns);
        // A link-local gateway is fine: routerd names the egress device with it.
        Assert.Empty(Errors(Static(Good() with { Gateway = "fe80::1" })));
        Assert.Empty(Errors(Static(Good() with { Address = "2001:db8:1::2/128", Gateway = "fe80::1" })));
    }

    [Fact]
    public void A_routed_48_that_holds_the_wan_link_gives_the_lan_its_first_other_64()
    {
        var plan = State(new() { Mode = WanModes.Dhcp, Device = "wan0" }, Static(Good() with { RoutedPrefix = "2001:db8:1::/48" })).Ipv6.Static!;
        Assert.Equal("2001:db8:1:1::1/64", plan.LanPrefix.ToString());
    }

    [Theory]
    [InlineData("ipv6.static.address", "2001:db8:1::2", null, null, null)]                 // no prefix length
    [InlineData("ipv6.static.address", "203.0.113.2/24", null, null, null)]                // not IPv6
    [InlineData("ipv6.static.address", "2001:db8:1::2/129", null, null, null)]             // length beyond 128
    [InlineData("ipv6.static.address", "2001:db8:1::2/8", null, null, null)]               // length out of range
    [InlineData("ipv6.static.address", "fe80::2/64", null, null, null)]                    // not a global address
    [InlineData("ipv6.static.address", "2001:db8:1::/64", null, null, null)]               // the subnet itself
    [InlineData("ipv6.static.gateway", null, "gateway", null, null)]
    [InlineData("ipv6.static.gateway", null, "2001:db8:9::1", null, null)]                 // global, off the WAN's subnet
    [InlineData("ipv6.static.gateway", null, "ff02::2", null, null)]                       // multicast
    [InlineData("ipv6.static.gateway", null, "2001:db8:1::2", null, null)]                 // the router itself
    [InlineData("ipv6.static.gateway", null, "fe80::1%wan0", null, null)]                  // a scope is routerd's to add
    [InlineData("ipv6.static.routedPrefix", null, null, "2001:db8:200::/40", null)]        // wider than /48
    [InlineData("ipv6.static.routedPrefix", null, null, "2001:db8:200::/72", null)]        // narrower than /64
    [InlineData("ipv6.static.routedPrefix", null, null, "2001:db8:200::1/48", null)]       // host bits
    [InlineData("ipv6.static.routedPrefix", null, null, "fd12:3456:789a::/48", null)]      // the ULA
    [InlineData("ipv6.static.routedPrefix", null, null, "2001:db8:1::/64", null)]          // the WAN link itself
    [InlineData("ipv6.static.routedPrefix", null, null, "2001:db8:200::", null)]           // no length
    [InlineData("ipv6.static.dns[0]", null, null, null, "ff02::1")]                        // multicast
    [InlineData("ipv6.static.dns[0]", null, null, null, "::")]
    [InlineData("ipv6.static.dns[0]", null, null, null, "fe80::53")]                       // link-local: needs a device
    [InlineData("ipv6.static.dns[0]", null, null, null, "198.51.100.53")]                  // IPv4 belongs to the WAN's own list
    [InlineData("ipv6.static.dns[0]", null, null, null, "2001:db8::53\nserver=1.2.3.4")]   // a new line in dnsmasq's file
    public void Bad_input_is_refused_naming_the_field(string field, string? address, string? gateway, string? routed, string? dns)
    {
        var st = Good();
        if (address is not null) st = st with { Address = address };
        if (gateway is not null) st = st with { Gateway = gateway };
        if (routed is not null) st = st with { RoutedPrefix = routed };
        if (dns is not null) st = st with { Dns = [dns] };
        var errors = Errors(Static(st));
        Assert.Equal([field], errors.Select(e => e.Field).Distinct());
    }

    [Fact]
    public void An_unknown_mode_or_a_missing_static_block_is_refused_and_automatic_ignores_the_block()
    {
        Assert.Equal(["ipv6.mode"], Errors(Static() with { Mode = "manual" }).Select(e => e.Field));
        Assert.Equal(["ipv6.static"], Errors(Static() with { Static = null }).Select(e => e.Field));
        // A kept static block does not stand in the way of automatic mode.
        Assert.Empty(Errors(Static(Good() with { Address = "" }) with { Mode = Ipv6Modes.Automatic }));
        Assert.Equal(["ipv6.static.dns"], Errors(Static(Good() with { Dns = ["2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4"] })).Select(e => e.Field));
    }

    [Fact]
    public void Stored_settings_from_schema_6_read_as_automatic()
    {
        var migrated = RouterJson.ReadSettings("""{ "schemaVersion": 6, "lan": { "address": "192.168.1.1/24" }, "ipv6": { "enabled": true, "prefixHint": 60, "ula": "fd12:3456:789a::/48" } }""");
        Assert.Equal(RouterSettings.CurrentSchemaVersion, migrated.SchemaVersion);
        Assert.Equal((Ipv6Modes.Automatic, 60, (Ipv6StaticSettings?)null), (migrated.Ipv6.Mode, migrated.Ipv6.PrefixHint, migrated.Ipv6.Static));
        var noSection = RouterJson.ReadSettings("""{ "schemaVersion": 6, "lan": { "address": "192.168.1.1/24" } }""");
        Assert.Equal(Ipv6Modes.Automatic, noSection.Ipv6.Mode);
    }
}

public class Ipv6StaticPlanTests
{
    static readonly HookTarget Hooks = new(["/usr/bin/routerd"], "/run/r/routerd.sock");
    static readonly WanSettings Dhcp = new() { Mode = WanModes.Dhcp, Device = "wan0" };
    static readonly WanSettings Pppoe = new() { Mode = WanModes.Pppoe, Device = "wan0", Pppoe = new() { Username = "u@isp", Password = "hunter2-secret" } };
    static readonly WanLease Session = new(WanInterfaces.PppInterface, new Ipv4Network(0xC6336401, 32), 0xC6336401, []);

    [Fact]
    public void No_dhcpcd_runs_and_the_address_and_route_go_on_the_wan_port()
    {
        var state = Ipv6StaticRulesTests.State(Dhcp, Ipv6StaticRulesTests.Static());
        Assert.Null(DhcpcdRenderer.Render(state, null, Hooks));
        var plan = NetworkPlanRenderer.Render(state, null);
        Assert.Contains(new InterfaceAddress6("wan0", P("2001:db8:1::2/64")), plan.Ipv6Addresses);
        Assert.Contains(new InterfaceAddress6("br-lan", P("2001:db8:200::1/64")), plan.Ipv6Addresses);
        Assert.Equal("::/0 via 2001:db8:1::1 dev wan0 metric 512", plan.DefaultRoute6!.ToString());
        // IPv6 off: nothing of it.
        var off = NetworkPlanRenderer.Render(Ipv6StaticRulesTests.State(Dhcp, Ipv6StaticRulesTests.Static() with { Enabled = false }), null);
        Assert.Empty(off.Ipv6Addresses);
        Assert.Null(off.DefaultRoute6);
    }

    [Fact]
    public void Over_pppoe_the_address_and_route_are_on_the_ppp_interface_while_the_session_is_up()
    {
        var state = Ipv6StaticRulesTests.State(Pppoe, Ipv6StaticRulesTests.Static(Ipv6StaticRulesTests.Good() with { Gateway = "fe80::1" }));
        var down = NetworkPlanRenderer.Render(state, null);
        Assert.Null(down.DefaultRoute6);
        Assert.DoesNotContain(down.Ipv6Addresses, a => a.Device != "br-lan");
        // The routed prefix is the owner's for good: its /64 stays on the LAN over a reconnect.
        Assert.Contains(new InterfaceAddress6("br-lan", P("2001:db8:200::1/64")), down.Ipv6Addresses);
        var up = NetworkPlanRenderer.Render(state, Session);
        Assert.Contains(new InterfaceAddress6("ppp-wan", P("2001:db8:1::2/64")), up.Ipv6Addresses);
        Assert.Equal("::/0 via fe80::1 dev ppp-wan metric 512", up.DefaultRoute6!.ToString());
        Assert.Null(DhcpcdRenderer.Render(state, Session, Hooks));

        var status = Ipv6Codes.Decide(state, null, null, false, null, egressExists: false);
        Assert.Equal((Ipv6Codes.WanDown, Ipv6Modes.Static), (status.Code, status.Mode));
        Assert.Contains("PPPoE session", status.Message);
        var upStatus = Ipv6Codes.Decide(state, null, null, false, null, egressExists: true);
        Assert.Equal((Ipv6Codes.Up, "2001:db8:1::2", "fe80::1", "2001:db8:200::/48"), (upStatus.Code, upStatus.WanAddress, upStatus.Gateway, upStatus.DelegatedPrefix));
        Assert.Equal(["2001:db8:1::53"], upStatus.Dns);
    }

    static Ipv6Prefix P(string s) => Ipv6Prefix.TryParse(s, out var p) ? p : throw new FormatException(s);
    static readonly LinkInfo Wan = new(2, "wan0", null, true, true, 1500, null, null);
    static readonly LinkInfo Bridge = new(3, "br-lan", null, true, true, 1500, null, "bridge");
    static AddressInfo On(int index, string a) => new(index, IPAddress.Parse(a.Split('/')[0]), int.Parse(a.Split('/')[1]), AddressScope.Universe);

    [Fact]
    public void The_diff_adds_the_address_before_the_route_runs_nothing_twice_and_takes_back_only_its_own()
    {
        var plan = NetworkPlanRenderer.Render(Ipv6StaticRulesTests.State(Dhcp, Ipv6StaticRulesTests.Static()), null) with { Up = [], Addresses = [], DefaultRoute = null };
        var empty = new ObservedNetwork([Wan, Bridge], [], []);
        var first = NetworkDiff.Compute(plan, empty, NetworkOwnership.None);
        Assert.Equal(["addr add fd12:3456:789a::1/64 dev br-lan", "addr add 2001:db8:200::1/64 dev br-lan", "addr add 2001:db8:1::2/64 dev wan0",
            "route replace ::/0 via 2001:db8:1::1 dev wan0 metric 512"], first.Commands);
        // What routerd owns survives its own text (the ownership file in the run directory).
        Assert.Equal(first.Owned.ToText(), NetworkOwnership.Parse(first.Owned.ToText()).ToText());
        Assert.Contains("route6 ::/0 via 2001:db8:1::1 dev wan0 metric 512", first.Owned.ToText());

        // dhcpcd's and the kernel's default routes (other metrics) are not routerd's.
        var dhcpcdRoute = new Ipv6DefaultRouteInfo(IPAddress.Parse("fe80::99"), 2, 1002);
        var applied = new ObservedNetwork([Wan, Bridge], [On(3, "fd12:3456:789a::1/64"), On(3, "2001:db8:200::1/64"), On(2, "2001:db8:1::2/64")], [])
        {
            Ipv6Routes = [new(IPAddress.Parse("2001:db8:1::1"), 2, DefaultRoute6.Metric), dhcpcdRoute],
        };
        Assert.Empty(NetworkDiff.Compute(plan, applied, first.Owned).Commands);

        // Back to automatic: routerd's route, then its address go; dhcpcd's route and the ULA stay.
        var automatic = NetworkPlanRenderer.Render(Ipv6StaticRulesTests.State(Dhcp, Ipv6StaticRulesTests.Static() with { Mode = Ipv6Modes.Automatic }), null)
            with { Up = [], Addresses = [], DefaultRoute = null };
        var back = NetworkDiff.Compute(automatic, applied, first.Owned);
        Assert.Equal(["route del ::/0 via 2001:db8:1::1 dev wan0 metric 512", "addr del 2001:db8:200::1/64 dev br-lan", "addr del 2001:db8:1::2/64 dev wan0"],
            back.Commands);
        Assert.DoesNotContain("route6", back.Owned.ToText());
    }
}

/// <summary>The loop: switching to static stops dhcpcd and applies the owner's values; bad input
/// changes neither the store nor the system; back to automatic starts dhcpcd again.</summary>
public class Ipv6StaticLoopTests
{
    readonly FakeNetwork network = new("lo", "wan0", "lan1", "br-lan");
    readonly FakeDhcp6Client dhcp6 = new();
    readonly MemoryStore store = new();
    readonly FakeDns dns = new();
    readonly Router router;

    public Ipv6StaticLoopTests()
    {
        router = TestRouter.New(Ipv6StaticRulesTests.Board, store: store, network: network, dns: dns, dhcp6: dhcp6);
        router.Start(p => "hash:" + p);
    }

    [Fact]
    public void Static_mode_replaces_dhcpcd_with_the_owners_values_and_automatic_brings_it_back()
    {
        Assert.NotNull(dhcp6.Plan);
        var r = router.TryChange(router.Settings with { Ipv6 = router.Settings.Ipv6 with { Mode = Ipv6Modes.Static, Static = Ipv6StaticRulesTests.Good() } });
        Assert.True(r.Succeeded, string.Join("; ", r.Errors));
        Assert.Null(dhcp6.Plan);
        Assert.Equal("::/0 via 2001:db8:1::1 dev wan0 metric 512", network.Current!.DefaultRoute6!.ToString());
        Assert.Contains(network.Current.Ipv6Addresses, a => a.ToString() == new InterfaceAddress6("wan0", P6("2001:db8:1::2/64")).ToString());
        Assert.Contains("server=2001:db8:1::53\n", dns.Config!.Servers);
        var s = router.Status("t", default).Ipv6!;
        Assert.Equal((Ipv6Codes.Up, Ipv6Modes.Static, "2001:db8:1::2"), (s.Code, s.Mode, s.WanAddress));
        // dhcpcd's last words (it was stopped) change nothing.
        router.OnDhcp6Event(new Dhcp6HookReport("BOUND6", "wan0", null, null, "2001:db8:300::", "56", "4000", "3000"));
        Assert.DoesNotContain(network.Current.Ipv6Addresses, a => a.Address.ToString().StartsWith("2001:db8:300:", StringComparison.Ordinal));

        Assert.True(router.TryChange(router.Settings with { Ipv6 = router.Settings.Ipv6 with { Mode = Ipv6Modes.Automatic } }).Succeeded);
        Assert.NotNull(dhcp6.Plan);
        Assert.Null(network.Current.DefaultRoute6);
        Assert.DoesNotContain(network.Current.Ipv6Addresses, a => a.Device == "wan0");
        Assert.Equal(Ipv6Codes.Connecting, router.Status("t", default).Ipv6!.Code);
        // The static block is kept for next time.
        Assert.Equal("2001:db8:1::2/64", store.Stored!.Ipv6.Static!.Address);
    }

    [Fact]
    public void Bad_static_values_leave_the_store_and_the_system_as_they_were()
    {
        var before = (store.Stored, store.Saves, network.Changes, dhcp6.Plan);
        var r = router.TryChange(router.Settings with
        {
            Ipv6 = router.Settings.Ipv6 with { Mode = Ipv6Modes.Static, Static = Ipv6StaticRulesTests.Good() with { Gateway = "2001:db8:9::1" } },
        });
        Assert.Equal(["ipv6.static.gateway"], r.Errors.Select(e => e.Field));
        Assert.Equal(before, (store.Stored, store.Saves, network.Changes, dhcp6.Plan));
    }

    static Ipv6Prefix P6(string s) => Ipv6Prefix.TryParse(s, out var p) ? p : throw new FormatException(s);
}

/// <summary>A fixed IPv6 over PPPoE: on ppp-wan while a session is up; the status says in words when it is not.</summary>
public class Ipv6StaticPppoeLoopTests
{
    readonly FakeNetwork network = new("lo", "wan0", "lan1", "br-lan");
    readonly FakePpp ppp = new();
    readonly FakeDhcp6Client dhcp6 = new();
    readonly Router router;
    static PppHookReport Up => Ipv6PppoeLoopTests.Up;
    static PppHookReport Down => Ipv6PppoeLoopTests.Down;

    public Ipv6StaticPppoeLoopTests()
    {
        router = TestRouter.New(Ipv6StaticRulesTests.Board, network: network, ppp: ppp, dhcp6: dhcp6);
        router.Start(p => "hash:" + p);
        var r = router.TryChange(router.Settings with
        {
            Wan = new WanSettings { Mode = WanModes.Pppoe, Device = "wan0", Pppoe = new() { Username = "u@isp", Password = "hunter2-secret" } },
            Ipv6 = router.Settings.Ipv6 with { Mode = Ipv6Modes.Static, Static = Ipv6StaticRulesTests.Good() with { Gateway = "fe80::1" } },
        });
        Assert.True(r.Succeeded, string.Join("; ", r.Errors));
    }

    [Fact]
    public void The_address_and_route_follow_the_session_and_the_lan_keeps_its_64()
    {
        Assert.Null(network.Current!.DefaultRoute6);
        var down = router.Status("t", default).Ipv6!;
        Assert.Equal(Ipv6Codes.WanDown, down.Code);
        Assert.Contains("2001:db8:200::/64", down.LanPrefixes);

        router.OnPppEvent(Up);
        Assert.Null(dhcp6.Plan);
        Assert.Equal("::/0 via fe80::1 dev ppp-wan metric 512", network.Current.DefaultRoute6!.ToString());
        Assert.Contains(network.Current.Ipv6Addresses, a => a.Device == "ppp-wan" && a.Address.ToString() == "2001:db8:1::2/64");
        Assert.Equal(Ipv6Codes.Up, router.Status("t", default).Ipv6!.Code);

        router.OnPppEvent(Down);
        Assert.Null(network.Current.DefaultRoute6);
        Assert.DoesNotContain(network.Current.Ipv6Addresses, a => a.Device == "ppp-wan");
        Assert.Contains(network.Current.Ipv6Addresses, a => a.Address.ToString() == "2001:db8:200::1/64");
        Assert.Equal(Ipv6Codes.WanDown, router.Status("t", default).Ipv6!.Code);
    }
}
