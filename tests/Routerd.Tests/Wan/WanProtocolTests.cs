using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Xunit;

namespace Routerd.Tests.Wan;

/// <summary>One protocol per WAN mode, found by its mode: the egress, what routerd puts on the
/// port, and the mode's validation all come from the same place.</summary>
public class WanProtocolTests
{
    static readonly WanLease DhcpLease = new("wan0", Ipv4Network.Parse("203.0.113.10/24"), Ipv4Network.Parse("203.0.113.1/32").Address, []);
    static readonly WanLease PppLease = new(WanInterfaces.PppInterface, Ipv4Network.Parse("198.51.100.77/32"), null, []);

    static WanPlan Plan(string mode) => new(mode, "wan0", [],
        mode == WanModes.Static ? new StaticPlan(Ipv4Network.Parse("192.0.2.2/24"), Ipv4Network.Parse("192.0.2.1/32").Address) : null);

    [Theory]
    [InlineData(WanModes.Dhcp, "wan0", "203.0.113.10/24 via 203.0.113.1")]
    [InlineData(WanModes.Static, "wan0", "192.0.2.2/24 via 192.0.2.1")]
    [InlineData(WanModes.Pppoe, "ppp-wan", null)]
    public void Each_mode_has_its_protocol(string mode, string egress, string? port)
    {
        var p = WanProtocols.For(mode);
        Assert.Equal(mode, p.Mode);
        Assert.Equal(egress, p.Egress(Plan(mode)));
        var lease = mode == WanModes.Pppoe ? PppLease : DhcpLease;
        Assert.Equal(port, p.PortAddress(Plan(mode), lease) is { } a
            ? $"{a.Address.Address} via {(a.Route is { } r ? Ipv4Network.Format(r.Gateway) : "-")}" : null);
        Assert.True(p.EgressExists(lease));
    }

    [Fact]
    public void Only_a_running_session_makes_the_ppp_interface_exist() =>
        Assert.False(WanProtocols.For(WanModes.Pppoe).EgressExists(null));

    [Fact]
    public void A_mode_without_a_protocol_is_refused_naming_the_known_ones()
    {
        var errors = DesiredStateBuilder.Validate(new RouterSettings { Wan = new WanSettings { Mode = "pptp", Device = "wan0" } },
            new Board { WanDevice = "wan0", LanPorts = ["lan1"] }, new SystemFacts(null, DateTimeOffset.UnixEpoch));
        Assert.Contains(errors, e => e.Field == "wan.mode" && e.Message.Contains("dhcp, static, pppoe", StringComparison.Ordinal));
    }

    /// <summary>Each protocol checks its own block, also while another protocol is the mode (the
    /// block waits in the store for the day the user switches back, issue 18).</summary>
    [Theory]
    [InlineData(WanModes.Dhcp, "wan.static.gateway")]
    [InlineData(WanModes.Pppoe, "wan.static.gateway")]
    [InlineData(WanModes.Dhcp, "wan.pppoe.mtu")]
    [InlineData(WanModes.Static, "wan.pppoe.mtu")]
    public void Every_protocol_checks_its_block_whichever_mode_is_active(string mode, string field)
    {
        var wan = new WanSettings
        {
            Mode = mode,
            Device = "wan0",
            Static = new() { Address = "192.0.2.2/24", Gateway = field == "wan.static.gateway" ? "198.51.100.1" : "192.0.2.1" },
            Pppoe = new() { Username = "u", Password = "p", Mtu = field == "wan.pppoe.mtu" ? 9000 : 1492 },
        };
        var errors = new List<FieldError>();
        foreach (var p in WanProtocols.All) p.Check(wan, p.Mode == mode, null, [], errors);
        Assert.Equal(field, Assert.Single(errors).Field);
        var viaSettings = DesiredStateBuilder.Validate(new RouterSettings { Wan = wan, Lan = new LanSettings { Ports = ["lan1"] } },
            new Board { WanDevice = "wan0", LanPorts = ["lan1"] }, new SystemFacts(null, DateTimeOffset.UnixEpoch));
        Assert.Equal(field, Assert.Single(viaSettings).Field);
    }

    [Fact]
    public void Only_the_active_protocol_gives_its_part_of_the_plan()
    {
        var wan = new WanSettings
        {
            Mode = WanModes.Static, Device = "wan0",
            Static = new() { Address = "192.0.2.2/24", Gateway = "192.0.2.1", Dns = ["192.0.2.53"] },
            Pppoe = new() { Username = "u", Password = "p" },
        };
        var dns = new List<string>();
        Assert.Equal(new StaticPlan(Ipv4Network.Parse("192.0.2.2/24"), Ipv4Network.Parse("192.0.2.1/32").Address),
            WanProtocols.For(WanModes.Static).Check(wan, true, null, dns, []));
        Assert.Equal(["192.0.2.53"], dns);
        Assert.Null(WanProtocols.For(WanModes.Pppoe).Check(wan, false, null, dns, []));
        Assert.Null(WanProtocols.For(WanModes.Static).Check(wan, false, null, dns, []));
        Assert.Single(dns); // an inactive block's servers are not used
    }
}
