using System.Net;
using Routerd.Core.Ipv6;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Tests.Loop;
using Xunit;

namespace Routerd.Tests.Ipv6;

public class Ipv6PrefixTests
{
    static Ipv6Prefix P(string s) => Ipv6Prefix.TryParse(s, out var p) ? p : throw new FormatException(s);

    [Fact]
    public void The_lan_takes_the_first_64_of_a_delegated_56_with_the_router_at_1()
    {
        var lan = P("2001:db8:100::/56").Subnet(64, 0)!.Value.Host(1);
        Assert.Equal("2001:db8:100::1/64", lan.ToString());
        Assert.Equal("2001:db8:100:ff::/64", P("2001:db8:100::/56").Subnet(64, 255)!.Value.ToString());
        Assert.Null(P("2001:db8:100::/56").Subnet(64, 256)); // a /56 holds 256 /64s
        Assert.Null(P("2001:db8:100::/56").Subnet(48, 0));   // a subnet is never wider than its prefix
    }

    [Fact]
    public void Host_bits_given_with_a_prefix_are_cleared_before_subnetting()
    {
        Assert.Equal("2001:db8:100::/56", P("2001:db8:100:ab::/56").Subnet(56, 0)!.Value.ToString());
        Assert.True(P("2001:db8:100::/56").Contains(Ipv6Prefix.ToUInt128(IPAddress.Parse("2001:db8:100:ff::1"))));
        Assert.False(P("2001:db8:100::/56").Contains(Ipv6Prefix.ToUInt128(IPAddress.Parse("2001:db8:101::1"))));
    }

    [Theory]
    [InlineData("192.168.1.1/24")]
    [InlineData("fe80::1%eth0/64")]
    [InlineData("2001:db8::/129")]
    [InlineData("2001:db8::/+5")]
    [InlineData("2001:db8::")]
    [InlineData("2001:db8::/56\nnoipv4")]
    public void Anything_but_an_ipv6_prefix_is_refused(string text) => Assert.False(Ipv6Prefix.TryParse(text, out _));

    [Fact]
    public void A_new_ula_is_a_random_fd_48()
    {
        var a = Ipv6Prefix.NewUniqueLocal();
        var b = Ipv6Prefix.NewUniqueLocal();
        Assert.Equal(48, a.Length);
        Assert.True(a.IsUniqueLocal);
        Assert.StartsWith("fd", a.ToString());
        Assert.Equal(a.Network, a.Value);
        Assert.NotEqual(a, b); // 40 random bits: equal twice in a row means no randomness
    }
}

public class Dhcp6LeaseTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    static readonly Dhcp6HookReport Bound = new("BOUND6", "wan0", "2001:db8:1::100", "4000", "2001:db8:100::", "56", "4000", "3000", "2001:db8:1::53 bogus 2001:db8:1::53");

    [Fact]
    public void A_bound_report_gives_address_prefix_lifetimes_and_dns()
    {
        var l = Dhcp6LeaseParser.Parse(Bound, Now)!;
        Assert.Equal("2001:db8:100::/56", l.Prefix.ToString());
        Assert.Equal("2001:db8:1::100", Ipv6Prefix.Format(l.Address!.Value));
        Assert.Equal(Now.AddSeconds(4000), l.PrefixValidUntil);
        Assert.Equal(Now.AddSeconds(3000), l.PrefixPreferredUntil);
        Assert.Equal(["2001:db8:1::53"], l.Dns);
        Assert.Equal("2001:db8:100::1/64", l.LanPrefix.ToString());
    }

    [Fact]
    public void A_report_without_a_prefix_is_a_lease_without_one()
    {
        var l = Dhcp6LeaseParser.Parse(Bound with { Prefix = null, PrefixLength = null, PrefixValid = null, PrefixPreferred = null }, Now)!;
        Assert.Null(l.Prefix);
        Assert.Null(l.LanPrefix);
    }

    [Fact]
    public void A_prefix_with_valid_lifetime_0_is_withdrawn() =>
        Assert.Null(Dhcp6LeaseParser.Parse(Bound with { PrefixValid = "0", PrefixPreferred = "0" }, Now)!.Prefix);

    [Theory]
    [InlineData("EXPIRE6")]
    [InlineData("RELEASE6")]
    [InlineData("STOPPED")]
    [InlineData("NOCARRIER")]
    public void Reasons_that_end_a_lease_give_none(string reason) => Assert.Null(Dhcp6LeaseParser.Parse(Bound with { Reason = reason }, Now));

    [Theory]
    [InlineData("2001:db8:100::", "47")] // wider than a home router takes
    [InlineData("2001:db8:100::", "65")] // too narrow for SLAAC
    [InlineData("2001:db8:100::", "56 ")]
    [InlineData("10.0.0.0", "56")]
    [InlineData("2001:db8::\nnoipv4", "56")]
    public void Malformed_prefixes_are_refused(string prefix, string length) =>
        Assert.Throws<FormatException>(() => Dhcp6LeaseParser.Parse(Bound with { Prefix = prefix, PrefixLength = length }, Now));

    [Fact]
    public void The_hook_reports_the_prefix_that_is_still_valid_when_the_old_one_is_withdrawn_beside_it()
    {
        var env = new Dictionary<string, string>
        {
            ["reason"] = "RENEW6", ["interface"] = "wan0",
            ["new_dhcp6_ia_pd1_prefix1"] = "2001:db8:100::", ["new_dhcp6_ia_pd1_prefix1_length"] = "56",
            ["new_dhcp6_ia_pd1_prefix1_vltime"] = "0", ["new_dhcp6_ia_pd1_prefix1_pltime"] = "0",
            ["new_dhcp6_ia_pd1_prefix2"] = "2001:db8:200::", ["new_dhcp6_ia_pd1_prefix2_length"] = "56",
            ["new_dhcp6_ia_pd1_prefix2_vltime"] = "4000", ["new_dhcp6_ia_pd1_prefix2_pltime"] = "3000",
            ["new_dhcp6_name_servers"] = "2001:db8:1::53",
        };
        var r = Dhcp6HookReport.FromEnvironment(k => env.GetValueOrDefault(k));
        Assert.Equal(("2001:db8:200::", "56", "4000", "3000"), (r.Prefix, r.PrefixLength, r.PrefixValid, r.PrefixPreferred));
        env.Remove("new_dhcp6_ia_pd1_prefix2");
        Assert.Equal("2001:db8:100::", Dhcp6HookReport.FromEnvironment(k => env.GetValueOrDefault(k)).Prefix);
    }

    [Fact]
    public void An_infinite_lifetime_is_held_as_a_year()
    {
        var l = Dhcp6LeaseParser.Parse(Bound with { PrefixValid = "4294967295" }, Now)!;
        Assert.Equal(Now.AddDays(365), l.PrefixValidUntil);
    }
}

public class Ipv6SettingsTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"] };

    static IReadOnlyList<FieldError> Check(Ipv6Settings ipv6) =>
        DesiredStateBuilder.Validate(new RouterSettings { Wan = new() { Device = "wan0" }, Lan = new() { Ports = ["lan1"] }, Ipv6 = ipv6 }, Board, new SystemFacts(null));

    [Theory]
    [InlineData(47)]
    [InlineData(65)]
    [InlineData(0)]
    public void A_prefix_hint_outside_48_to_64_is_refused_by_name(int hint) =>
        Assert.Equal("ipv6.prefixHint", Assert.Single(Check(new Ipv6Settings { PrefixHint = hint })).Field);

    [Theory]
    [InlineData("2001:db8::/48")]     // not unique local
    [InlineData("fd12:3456:789a::/56")] // not a /48
    [InlineData("fd12:3456:789a::1/48")] // host bits
    [InlineData("fd12::/48\ninterface eth0")]
    public void A_ula_that_is_not_an_fd_48_is_refused_by_name(string ula) =>
        Assert.Equal("ipv6.ula", Assert.Single(Check(new Ipv6Settings { Ula = ula })).Field);

    [Fact]
    public void Ipv6_is_on_with_a_56_hint_by_default_and_a_stored_ula_is_kept()
    {
        Assert.Empty(Check(new Ipv6Settings()));
        var stored = new RouterSettings { Ipv6 = new() { Ula = "fd12:3456:789a::/48" } };
        Assert.Equal("fd12:3456:789a::/48", Ipv6Rules.WithUla(new RouterSettings(), stored).Ipv6.Ula);
        Assert.True(Ipv6Prefix.TryParse(Ipv6Rules.WithUla(new RouterSettings()).Ipv6.Ula, out var made) && made.IsUniqueLocal);
    }
}

public class Ipv6LoopTests
{
    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1", "lan2"], RunDir = "/run/r", StateDir = "/var/lib/r" };
    readonly FakeNetwork network = new("lo", "wan0", "lan1", "lan2", "br-lan");
    readonly ManualClock clock = new();
    readonly Router router;
    static readonly Dhcp6HookReport Bound = new("BOUND6", "wan0", "2001:db8:1::100", "4000", "2001:db8:100::", "56", "4000", "3000");

    public Ipv6LoopTests()
    {
        router = TestRouter.New(board, network: network, clock: clock);
        router.Start(p => "hash:" + p);
    }

    IEnumerable<string> LanV6() => network.Current!.Ipv6Addresses.Select(a => a.Address.ToString());

    [Fact]
    public void First_boot_makes_a_ula_and_puts_its_64_on_the_lan()
    {
        Assert.True(Ipv6Prefix.TryParse(router.Settings.Ipv6.Ula, out var ula) && ula.IsUniqueLocal);
        Assert.Equal([ula.Subnet(64, 0)!.Value.Host(1).ToString()], LanV6());
        Assert.Equal(Ipv6Codes.Connecting, router.Snapshot.Ipv6!.Code);
    }

    [Fact]
    public void A_delegated_prefix_reaches_the_lan_and_the_status_and_a_new_one_replaces_it()
    {
        router.OnDhcp6Event(Bound);
        Assert.Contains("2001:db8:100::1/64", LanV6());
        var s = router.Status("test", clock.GetUtcNow());
        Assert.Equal(Ipv6Codes.Up, s.Ipv6!.Code);
        Assert.Equal("2001:db8:100::/56", s.Ipv6.DelegatedPrefix);
        Assert.Equal("2001:db8:1::100", s.Ipv6.WanAddress);
        Assert.Equal(4000, s.Ipv6.PrefixLifetimeSeconds);
        Assert.Contains("2001:db8:100::/64", s.Ipv6.LanPrefixes);

        router.OnDhcp6Event(Bound with { Reason = "REBIND6", Prefix = "2001:db8:200::" });
        Assert.Contains("2001:db8:200::1/64", LanV6());
        Assert.DoesNotContain("2001:db8:100::1/64", LanV6());
    }

    [Fact]
    public void No_prefix_from_the_provider_and_a_lost_prefix_are_said_in_plain_words()
    {
        router.OnDhcp6Event(Bound with { Prefix = null, PrefixLength = null, PrefixValid = null, PrefixPreferred = null });
        var s = router.Snapshot.Ipv6!;
        Assert.Equal(Ipv6Codes.NoPrefix, s.Code);
        Assert.Contains("offers no IPv6 prefix", s.Message);
        Assert.Single(LanV6()); // the ULA only

        router.OnDhcp6Event(Bound);
        router.OnDhcp6Event(Bound with { Reason = "EXPIRE6" });
        Assert.Equal(Ipv6Codes.PrefixLost, router.Snapshot.Ipv6!.Code);
        Assert.Single(LanV6());
    }

    [Fact]
    public void A_malformed_report_changes_nothing_and_another_port_is_ignored()
    {
        router.OnDhcp6Event(Bound);
        router.OnDhcp6Event(Bound with { Reason = "RENEW6", PrefixLength = "8" });
        router.OnDhcp6Event(Bound with { Interface = "lan1", Prefix = "2001:db8:300::" });
        Assert.Contains("2001:db8:100::1/64", LanV6());
        Assert.Equal(Ipv6Codes.Up, router.Snapshot.Ipv6!.Code);
    }

    [Fact]
    public void On_a_static_wan_a_delegated_prefix_reaches_the_lan_and_switching_from_dhcp_keeps_it()
    {
        router.OnDhcp6Event(Bound);
        var r = router.TryChange(router.Settings with { Wan = new WanSettings { Mode = WanModes.Static, Device = "wan0", Static = DhcpcdPlanTests.StaticWan } });
        Assert.True(r.Succeeded, string.Join(", ", r.Errors));
        // The same dhcpcd on the same port runs on: its lease stays, so does the LAN's prefix.
        Assert.Contains("2001:db8:100::1/64", LanV6());
        Assert.Equal(Ipv6Codes.Up, router.Snapshot.Ipv6!.Code);

        router.OnDhcp6Event(Bound with { Reason = "REBIND6", Prefix = "2001:db8:200::" });
        Assert.Contains("2001:db8:200::1/64", LanV6());
        Assert.DoesNotContain("2001:db8:100::1/64", LanV6());
        router.OnDhcp6Event(Bound with { Reason = "EXPIRE6" });
        Assert.Equal(Ipv6Codes.PrefixLost, router.Snapshot.Ipv6!.Code);
    }

    [Fact]
    public void Switching_ipv6_off_takes_the_lan_prefixes_away()
    {
        router.OnDhcp6Event(Bound);
        var r = router.TryChange(router.Settings with { Ipv6 = router.Settings.Ipv6 with { Enabled = false } });
        Assert.True(r.Succeeded, string.Join(", ", r.Errors));
        Assert.Empty(LanV6());
        Assert.Equal(Ipv6Codes.Off, router.Snapshot.Ipv6!.Code);
    }
}

/// <summary>The DHCPv6 client per WAN mode: the DHCP and the static WAN run the same dhcpcd on the
/// WAN port (the static IPv4 address changes nothing about IPv6 from the ISP).</summary>
public class DhcpcdPlanTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], RunDir = "/run/r", StateDir = "/var/lib/r" };
    static readonly Routerd.Core.Wan.HookTarget Hooks = new(["/usr/bin/routerd"], "/run/r/routerd.sock");
    static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    internal static readonly StaticWanSettings StaticWan = new() { Address = "198.51.100.6/29", Gateway = "198.51.100.1", Dns = ["198.51.100.53"] };

    internal static DesiredState State(WanSettings wan, bool ipv6 = true) => DesiredStateBuilder.Build(
        FirstBoot.Settings(Board, _ => "hash") with { Wan = wan, Ipv6 = new() { Enabled = ipv6, Ula = "fd12:3456:789a::/48" } }, Board, new SystemFacts(null, Now));

    static readonly WanSettings Dhcp = new() { Mode = WanModes.Dhcp, Device = "wan0" };
    static readonly WanSettings Static = new() { Mode = WanModes.Static, Device = "wan0", Static = StaticWan };

    [Fact]
    public void A_static_wan_runs_the_dhcp_wans_dhcpcd_on_the_wan_port()
    {
        var onStatic = DhcpcdRenderer.Render(State(Static), null, Hooks)!;
        var onDhcp = DhcpcdRenderer.Render(State(Dhcp), null, Hooks)!;
        // The same configuration; only the comment saying where IPv4 comes from differs.
        static IEnumerable<string> Settings(string config) => config.Split('\n').Where(l => !l.TrimStart().StartsWith('#'));
        Assert.Equal(Settings(onDhcp.Config), Settings(onStatic.Config));
        Assert.Contains("fixed address", onStatic.Config);
        Assert.Equal(onDhcp.Arguments, onStatic.Arguments);
        Assert.Equal("wan0", onStatic.Arguments[^1]);
        Assert.Contains("allowinterfaces wan0\nnoipv4\n", onStatic.Config);
        Assert.Contains("\tipv6rs\n", onStatic.Config);
        Assert.Null(DhcpcdRenderer.Render(State(Static, ipv6: false), null, Hooks));
    }

    [Fact]
    public void A_static_wans_ipv6_status_is_the_dhcp_wans()
    {
        var state = State(Static);
        Assert.Equal(Ipv6Codes.Connecting, Ipv6Codes.Decide(state, null, null, false).Code);
        var lease = Dhcp6LeaseParser.Parse(new Dhcp6HookReport("BOUND6", "wan0", null, null, "2001:db8:100::", "56", "4000", "3000"), Now);
        var up = Ipv6Codes.Decide(state, lease, "BOUND6", true);
        Assert.Equal((Ipv6Codes.Up, "2001:db8:100::/56"), (up.Code, up.DelegatedPrefix));
        Assert.Contains("2001:db8:100::/64", up.LanPrefixes);
        Assert.Equal(Ipv6Codes.NoServer, Ipv6Codes.Decide(state, null, "TIMEOUT6", false).Code);
    }
}

public class Ipv6NetworkDiffTests
{
    static Ipv6Prefix P(string s) => Ipv6Prefix.TryParse(s, out var p) ? p : throw new FormatException(s);
    static readonly LinkInfo Bridge = new(3, "br-lan", null, true, true, 1500, null, "bridge");
    static NetworkPlan Plan(params string[] v6) => new("br-lan", [], ["br-lan"], [], null, v6.Select(a => new InterfaceAddress6("br-lan", P(a))).ToList());
    static AddressInfo On(string a) => new(3, IPAddress.Parse(a.Split('/')[0]), int.Parse(a.Split('/')[1]), AddressScope.Universe);

    [Fact]
    public void An_old_prefix_routerd_added_is_removed_and_a_foreign_one_is_kept()
    {
        var owned = new NetworkOwnership(new HashSet<InterfaceAddress>(), null, new HashSet<InterfaceAddress6> { new("br-lan", P("2001:db8:100::1/64")) });
        var observed = new ObservedNetwork([Bridge], [On("2001:db8:100::1/64"), On("2001:db8:999::5/64")], []);
        var change = NetworkDiff.Compute(Plan("2001:db8:200::1/64"), observed, owned);
        Assert.Equal(["addr del 2001:db8:100::1/64 dev br-lan", "addr add 2001:db8:200::1/64 dev br-lan"], change.Commands);
        Assert.Equal(NetworkOwnership.Parse(change.Owned.ToText()).ToText(), change.Owned.ToText());
        Assert.Contains("addr6 2001:db8:200::1/64 dev br-lan", change.Owned.ToText());
    }

    [Fact]
    public void The_same_plan_twice_runs_nothing()
    {
        var observed = new ObservedNetwork([Bridge], [On("fd12:3456:789a::1/64")], []);
        Assert.Empty(NetworkDiff.Compute(Plan("fd12:3456:789a::1/64"), observed, NetworkOwnership.None).Commands);
    }
}
