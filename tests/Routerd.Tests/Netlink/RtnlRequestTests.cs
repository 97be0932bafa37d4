using Routerd.Platform.Netlink;
using Xunit;
using static Routerd.Tests.Netlink.GoldenMessages;

namespace Routerd.Tests.Netlink;

public class RtnlRequestTests
{
    [Fact]
    public void Link_dump_request() => AssertWrites(RtnlRequests.GetLinks,
        "20000000 1200 0103 2a000000 00000000", // len 32, RTM_GETLINK, NLM_F_REQUEST|NLM_F_DUMP, seq 42, pid 0
        "00 00 0000 00000000 00000000 00000000"); // ifinfomsg, AF_UNSPEC

    [Fact]
    public void Address_dump_request() => AssertWrites(RtnlRequests.GetAddresses,
        "18000000 1600 0103 2a000000 00000000", // len 24, RTM_GETADDR
        "00 00 00 00 00000000");                // ifaddrmsg, AF_UNSPEC

    [Fact]
    public void Ipv4_main_table_route_dump_request() => AssertWrites(RtnlRequests.GetIpv4Routes,
        "1c000000 1a00 0103 2a000000 00000000", // len 28, RTM_GETROUTE
        "02 00 00 00 fe 00 00 00 00000000");    // rtmsg, AF_INET, table main

    [Fact]
    public void Neighbour_dump_request() => AssertWrites(RtnlRequests.GetNeighbours,
        "1c000000 1e00 0103 2a000000 00000000", // len 28, RTM_GETNEIGH
        "00 00 0000 00000000 0000 00 00");      // ndmsg, AF_UNSPEC

    [Fact]
    public void Writer_refuses_a_buffer_too_small()
    {
        var buffer = new byte[20];
        Assert.Throws<ArgumentException>(() => RtnlRequests.GetLinks(buffer, 1));
    }

    private static void AssertWrites(NetlinkRequest request, params string[] expected)
    {
        var buffer = new byte[RtnlRequests.MaxLength];
        buffer.AsSpan().Fill(0xee); // stale bytes must not leak into padding or the body

        int length = request(buffer, seq: 42);

        Assert.Equal(Convert.ToHexString(Hex(expected)), Convert.ToHexString(buffer, 0, length));
    }
}
