using Routerd.Core.Lan;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Lan;

/// <summary>Where the LAN goes when the WAN's lease lands in its subnet: the next private /24
/// that overlaps neither, keeping host numbers.</summary>
public class LanConflictTests
{
    static readonly LanSettings Default = new()
    {
        Address = "192.168.1.1/24",
        Dhcp = new DhcpSettings { Start = "192.168.1.100", End = "192.168.1.249" },
        StaticLeases = [new StaticLease { Mac = "02:00:00:00:00:01", Address = "192.168.1.20", Hostname = "nas" }],
    };

    [Theory]
    [InlineData("192.168.1.1/24", "192.168.1.50/24", "192.168.2.1/24")] // the ISP modem on 192.168.1.x
    [InlineData("192.168.1.1/24", "192.168.0.10/23", "192.168.2.1/24")] // a /23 modem covers .0 and .1
    [InlineData("192.168.1.1/24", "192.168.0.10/16", "172.16.0.1/24")] // all of 192.168/16 taken
    [InlineData("192.168.255.1/24", "192.168.255.7/24", "192.168.0.1/24")] // wraps around
    [InlineData("10.0.0.1/8", "10.1.2.3/24", "192.168.1.1/24")] // a /8 LAN: the first free 192.168 /24
    [InlineData("192.168.1.254/24", "192.168.1.50/24", "192.168.2.254/24")] // the router's own number stays
    public void The_lan_moves_to_the_next_free_private_24(string lan, string wan, string expected)
    {
        var moved = LanConflict.Resolve(Default with { Address = lan }, Ipv4Network.Parse(wan));
        Assert.Equal(expected, moved!.Address);
    }

    [Fact]
    public void A_lease_outside_the_lan_changes_nothing()
    {
        Assert.Null(LanConflict.Resolve(Default, Ipv4Network.Parse("203.0.113.10/24")));
        Assert.Null(LanConflict.Resolve(Default, Ipv4Network.Parse("192.168.2.10/24")));
    }

    [Fact]
    public void The_pool_and_the_static_leases_keep_their_host_numbers()
    {
        var moved = LanConflict.Resolve(Default, Ipv4Network.Parse("192.168.1.50/24"))!;
        Assert.Equal(("192.168.2.100", "192.168.2.249"), (moved.Dhcp.Start, moved.Dhcp.End));
        Assert.Equal("192.168.2.20", Assert.Single(moved.StaticLeases).Address);
        Assert.Equal("nas", moved.StaticLeases[0].Hostname);
        Assert.Equal(Default.Dhcp.LeaseSeconds, moved.Dhcp.LeaseSeconds);
    }

    [Fact]
    public void A_pool_wider_than_a_24_starts_over_with_the_usual_one()
    {
        var lan = Default with { Address = "10.0.0.1/16", Dhcp = new DhcpSettings { Start = "10.0.1.0", End = "10.0.5.255" }, StaticLeases = [] };
        var moved = LanConflict.Resolve(lan, Ipv4Network.Parse("10.0.7.1/24"))!;
        Assert.Equal("192.168.1.1/24", moved.Address);
        Assert.Equal(("192.168.1.100", "192.168.1.249"), (moved.Dhcp.Start, moved.Dhcp.End));
    }

    [Fact]
    public void Every_move_is_a_valid_lan()
    {
        var board = new Board { WanDevice = "wan0", LanPorts = ["lan1"] };
        foreach (var wan in new[] { "192.168.1.50/24", "192.168.0.1/16", "192.168.1.9/30", "192.168.1.1/24" })
        {
            var moved = LanConflict.Resolve(Default, Ipv4Network.Parse(wan))!;
            var errors = DesiredStateBuilder.Validate(new RouterSettings { Lan = moved }, board, new SystemFacts(null));
            Assert.DoesNotContain(errors, e => e.Field.StartsWith("lan", StringComparison.Ordinal));
            Assert.False(Ipv4Network.Parse(moved.Address).Overlaps(Ipv4Network.Parse(wan)));
        }
    }
}
