using Routerd.Core.Net;
using Xunit;

namespace Routerd.Tests.Net;

public class AddressTests
{
    [Theory]
    [InlineData("02:00:00:00:01:01", "02:00:00:00:01:01")]
    [InlineData("AA-BB-CC-DD-EE-FF", "aa:bb:cc:dd:ee:ff")]
    public void Mac_addresses_have_one_spelling(string input, string expected) =>
        Assert.Equal(expected, MacAddress.Parse(input).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("02:00:00:00:01")]
    [InlineData("02:00:00:00:01:0g")]
    [InlineData("02:00-00:00:01:01")]
    [InlineData("02:00:00:00:01:01\n")]
    public void Malformed_macs_are_refused(string input) => Assert.False(MacAddress.TryParse(input, out _));

    [Fact]
    public void Mac_bytes_round_trip_and_group_bit_is_not_unicast()
    {
        Assert.Equal("02:00:00:00:01:01", MacAddress.FromBytes([2, 0, 0, 0, 1, 1]).ToString());
        Assert.False(MacAddress.Parse("01:00:5e:00:00:fb").IsUnicast);
    }

    [Theory]
    [InlineData("192.168.1.1/24", "192.168.1.0", "255.255.255.0")]
    [InlineData("10.20.0.1/16", "10.20.0.0", "255.255.0.0")]
    public void Networks_know_their_subnet(string text, string network, string mask)
    {
        var n = Ipv4Network.Parse(text);
        Assert.Equal(network, n.Network.ToString());
        Assert.Equal(mask, n.Netmask.ToString());
        Assert.Equal(text, n.ToString());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("010.0.0.1")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3")]
    [InlineData(" 1.2.3.4")]
    public void Only_dotted_quads_are_addresses(string text) => Assert.False(Ipv4Network.TryParseAddress(text, out _));

    [Fact]
    public void Overlap_uses_the_shorter_prefix()
    {
        Assert.True(Ipv4Network.Parse("192.168.1.1/24").Overlaps(Ipv4Network.Parse("192.168.0.1/16")));
        Assert.False(Ipv4Network.Parse("192.168.1.1/24").Overlaps(Ipv4Network.Parse("192.168.2.1/24")));
    }
}
