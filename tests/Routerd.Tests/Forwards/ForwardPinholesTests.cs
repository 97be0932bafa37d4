using System.Net;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Forwards;

/// <summary>On IPv6 a port forward is a pinhole: the device's own port, at its global addresses,
/// open to new connections from the internet; no translation.</summary>
public sealed class ForwardPinholesTests
{
    static readonly MacAddress Nas = MacAddress.Parse("02:00:00:00:02:01"), Game = MacAddress.Parse("02:00:00:00:02:02");

    static ForwardPlan Plan(int id, ForwardProtocols p, int wan, int wanEnd, MacAddress mac, int lan, bool enabled = true) =>
        new(id, p, wan, wanEnd, mac, lan, enabled, null);

    static IEnumerable<IPAddress> Held(params string[] addresses) => addresses.Select(IPAddress.Parse);

    [Theory]
    [InlineData("2001:db8::1", true)]
    [InlineData("2a00:1450:4001:80b::200e", true)]
    [InlineData("3fff:ffff::1", true)]
    [InlineData("fd12:3456:789a::1", false)] // unique local: not reachable from the internet
    [InlineData("fc00::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::1", false)]
    [InlineData("::ffff:192.0.2.1", false)]
    [InlineData("192.0.2.1", false)]
    public void Only_global_unicast_addresses_get_pinholes(string address, bool global) =>
        Assert.Equal(global, ForwardPinholes.IsGlobal(IPAddress.Parse(address)));

    [Fact]
    public void A_forward_opens_its_lan_ports_per_protocol_at_every_global_address_of_its_device()
    {
        var holes = ForwardPinholes.From(
            [Plan(1, ForwardProtocols.Tcp, 8443, 8443, Nas, 443), Plan(2, ForwardProtocols.Both, 5000, 5001, Nas, 6000), Plan(3, ForwardProtocols.Udp, 27015, 27015, Game, 27015)],
            mac => mac == Nas ? Held("192.168.1.50", "2001:db8:1::201", "2001:db8:1::abcd", "fd00::201", "fe80::201") : Held("2001:db8:1::99"));
        string nft = holes.ToNft();
        Assert.Equal(
            "flush set inet routerd forward_v6\n" +
            "add element inet routerd forward_v6 { " +
            "2001:db8:1::201 . tcp . 443, 2001:db8:1::abcd . tcp . 443, " +
            "2001:db8:1::201 . tcp . 6000, 2001:db8:1::201 . tcp . 6001, 2001:db8:1::201 . udp . 6000, 2001:db8:1::201 . udp . 6001, " +
            "2001:db8:1::abcd . tcp . 6000, 2001:db8:1::abcd . tcp . 6001, 2001:db8:1::abcd . udp . 6000, 2001:db8:1::abcd . udp . 6001, " +
            "2001:db8:1::99 . udp . 27015 }\n",
            nft);
        Assert.DoesNotContain("8443", nft);
        Assert.DoesNotContain("5000", nft);
    }

    [Fact]
    public void Disabled_forwards_and_devices_without_a_global_address_open_nothing()
    {
        var holes = ForwardPinholes.From(
            [Plan(1, ForwardProtocols.Tcp, 22, 22, Nas, 22, enabled: false), Plan(2, ForwardProtocols.Tcp, 554, 554, Game, 554)],
            mac => mac == Nas ? Held("2001:db8:1::201") : Held("192.168.1.60", "fd00::60", "fe80::60"));
        Assert.All(holes.Holes, h => Assert.Empty(h.Addresses));
        Assert.Equal("flush set inet routerd forward_v6\n", holes.ToNft());
    }

    [Fact]
    public void Two_forwards_to_the_same_lan_port_are_one_element()
    {
        var holes = ForwardPinholes.From(
            [Plan(1, ForwardProtocols.Tcp, 8080, 8080, Nas, 80), Plan(2, ForwardProtocols.Tcp, 8081, 8081, Nas, 80)], _ => Held("2001:db8:1::201"));
        Assert.Equal("flush set inet routerd forward_v6\nadd element inet routerd forward_v6 { 2001:db8:1::201 . tcp . 80 }\n", holes.ToNft());
    }

    /// <summary>A device that takes a new temporary address moves one element per port, loaded as a
    /// delta: the pinhole follows the address without a ruleset load.</summary>
    [Fact]
    public void A_new_temporary_address_is_loaded_as_its_elements_alone()
    {
        IReadOnlyList<ForwardPlan> plans = [Plan(1, ForwardProtocols.Both, 443, 443, Nas, 443)];
        string before = ForwardPinholes.From(plans, _ => Held("2001:db8:1::201", "2001:db8:1::aaaa")).ToNft();
        string after = ForwardPinholes.From(plans, _ => Held("2001:db8:1::201", "2001:db8:1::bbbb")).ToNft();
        Assert.Equal(
            "delete element inet routerd forward_v6 { 2001:db8:1::aaaa . tcp . 443, 2001:db8:1::aaaa . udp . 443 }\n" +
            "add element inet routerd forward_v6 { 2001:db8:1::bbbb . tcp . 443, 2001:db8:1::bbbb . udp . 443 }\n",
            SetElementsDelta.Between(before, after));
    }

    /// <summary>The ruleset: the set is declared, new connections from the WAN that no IPv4 forward
    /// translated go to a chain where only a pinhole lets them on, and everything else is dropped.</summary>
    [Fact]
    public void The_ruleset_lets_a_new_inbound_connection_on_only_through_the_pinhole_set()
    {
        var board = new Board { WanDevice = "wan0", LanPorts = ["lan1"] };
        var state = DesiredStateBuilder.Build(FirstBoot.Settings(board, _ => "hash"), board, new SystemFacts(null, DateTimeOffset.UnixEpoch));
        string nft = NftRenderer.Render(state);
        Assert.Contains("set forward_v6 {\n\t\ttype ipv6_addr . inet_proto . inet_service\n", nft);
        string download = Chain(nft, "download");
        string unsolicited = Chain(nft, ForwardsRenderer.UnsolicitedChain);
        Assert.Contains($"ct state ! established,related ct status & dnat == 0 jump {ForwardsRenderer.UnsolicitedChain}", download);
        Assert.DoesNotContain("drop comment \"the internet may not open", download);
        var rules = unsolicited.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).Where(l => !l.StartsWith("chain") && l != "}").ToList();
        Assert.Equal(2, rules.Count);
        Assert.StartsWith("ip6 daddr . meta l4proto . th dport @forward_v6 return", rules[0]);
        Assert.StartsWith("counter drop", rules[1]);
        // The pinhole lookup never runs for IPv4 (ip6 daddr matches IPv6 only): IPv4 reaches the drop.
        Assert.DoesNotContain("ip daddr", unsolicited);
    }

    static string Chain(string nft, string name)
    {
        int start = nft.IndexOf($"\tchain {name} {{", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no chain {name}");
        return nft[start..nft.IndexOf("\t}", start, StringComparison.Ordinal)];
    }
}
