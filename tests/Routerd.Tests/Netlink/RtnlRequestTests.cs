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
    public void Qdisc_dump_request() => AssertWrites(RtnlRequests.GetQdiscs,
        "24000000 2600 0103 2a000000 00000000", // len 36, RTM_GETQDISC
        "00 00 0000 00000000 00000000 00000000 00000000"); // tcmsg, AF_UNSPEC, every device

    [Fact]
    public void Nf_tables_table_request() => AssertWrites((buffer, seq) => RtnlRequests.GetTable(buffer, seq, NetlinkInterop.NFPROTO_INET, "routerd"),
        "20000000 010a 0100 2a000000 00000000", // len 32, NFNL_SUBSYS_NFTABLES<<8 | NFT_MSG_GETTABLE, NLM_F_REQUEST only
        "01 00 0000",                           // nfgenmsg: NFPROTO_INET, NFNETLINK_V0, res_id 0
        "0c00 0100 726f757465726400");          // NFTA_TABLE_NAME "routerd\0"

    [Fact]
    public void A_string_attribute_is_padded_with_zeros()
    {
        // "br-lan\0" is 7 bytes: one byte of padding, which must be zero, not what the buffer held.
        AssertWrites((buffer, seq) => RtnlRequests.GetTable(buffer, seq, NetlinkInterop.NFPROTO_INET, "br-lan"),
            "20000000 010a 0100 2a000000 00000000",
            "01 00 0000",
            "0b00 0100 62722d6c616e00 00");
    }

    [Fact]
    public void Writer_refuses_a_buffer_too_small()
    {
        var buffer = new byte[20];
        Assert.Throws<ArgumentException>(() => RtnlRequests.GetLinks(buffer, 1));
    }

    internal static void AssertWrites(NetlinkRequest request, params string[] expected)
    {
        var buffer = new byte[RtnlRequests.MaxLength];
        buffer.AsSpan().Fill(0xee); // stale bytes must not leak into padding or the body

        int length = request(buffer, seq: 42);

        Assert.Equal(Convert.ToHexString(Hex(expected)), Convert.ToHexString(buffer, 0, length));
    }
}
