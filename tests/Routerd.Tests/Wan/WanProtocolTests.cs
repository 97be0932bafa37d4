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

    static WanPlan Plan(string mode) => new(mode, "wan0", mode == WanModes.Static ? Ipv4Network.Parse("192.0.2.2/24") : null,
        mode == WanModes.Static ? Ipv4Network.Parse("192.0.2.1/32").Address : null, []);

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
}
