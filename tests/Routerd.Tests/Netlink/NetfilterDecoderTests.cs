using System.Buffers.Binary;
using System.Net;
using Routerd.Core.Diagnostics;
using Routerd.Platform.Netlink;
using Xunit;
using static Routerd.Tests.Netlink.GoldenMessages;

namespace Routerd.Tests.Netlink;

/// <summary>nf_tables trace events and conntrack dump entries as they arrive on a little-endian
/// machine, written out field by field from the uapi layouts (nf_tables.h, nfnetlink_conntrack.h).
/// Unlike rtnetlink, nfnetlink's attribute integers are big-endian; nested attributes carry NLA_F_NESTED.</summary>
internal static class NetfilterGoldenMessages
{
    /// <summary>The first event of a TCP SYN in the input hook: rule 5 of chain input jumps to input_wan;
    /// the headers (from 198.51.100.10:40000 to 203.0.113.10:8443) come with it.</summary>
    public static readonly byte[] TraceJump = Hex(
        "ac000000 110a 0000 00000000 00000000", // nlmsghdr: len 172, NFNL_SUBSYS_NFTABLES<<8 | NFT_MSG_TRACE
        "01 00 0000",                           // nfgenmsg: NFPROTO_INET, version 0, res_id 0
        "0c00 0100 726f757465726400",           // NFTA_TRACE_TABLE "routerd\0"
        "0a00 0200 696e70757400 0000",          // NFTA_TRACE_CHAIN "input\0" + 2 padding
        "0800 0600 deadbeef",                   // NFTA_TRACE_ID
        "0800 0400 00000003",                   // NFTA_TRACE_TYPE NFT_TRACETYPE_RULE (be32)
        "0c00 0300 0000000000000005",           // NFTA_TRACE_RULE_HANDLE 5 (be64)
        "1c00 0580",                            // NFTA_TRACE_VERDICT | NLA_F_NESTED, 28 bytes:
        "  0800 0100 fffffffd",                 //   NFTA_VERDICT_CODE NFT_JUMP (-3)
        "  0e00 0200 696e7075745f77616e00 0000", //  NFTA_VERDICT_CHAIN "input_wan\0" + 2 padding
        "0800 0f00 00000002",                   // NFTA_TRACE_NFPROTO NFPROTO_IPV4
        "0800 0a00 00000002",                   // NFTA_TRACE_IIF 2
        "0600 0b00 0001 0000",                  // NFTA_TRACE_IIFTYPE ARPHRD_ETHER (be16) + 2 padding
        "1800 0800 4500003c 12344000 40060000 c633640a cb00710a", // NFTA_TRACE_NETWORK_HEADER: IPv4, TCP, 198.51.100.10 → 203.0.113.10
        "1800 0900 9c4020fb 00000001 00000000 5002faf0 00000000"); // NFTA_TRACE_TRANSPORT_HEADER: TCP 40000 → 8443, SYN

    /// <summary>The same packet met the policy (accept) of the base chain forward_dstnat: no handle, no verdict attribute.</summary>
    public static readonly byte[] TracePolicy = Hex(
        "54000000 110a 0000 00000000 00000000", // nlmsghdr: len 84
        "01 00 0000",                           // nfgenmsg
        "0c00 0100 726f757465726400",           // NFTA_TRACE_TABLE "routerd\0"
        "1300 0200 666f72776172645f6473746e617400 00", // NFTA_TRACE_CHAIN "forward_dstnat\0" + 1 padding
        "0800 0600 deadbeef",                   // NFTA_TRACE_ID
        "0800 0400 00000001",                   // NFTA_TRACE_TYPE NFT_TRACETYPE_POLICY
        "0800 1000 00000001",                   // NFTA_TRACE_POLICY NF_ACCEPT
        "0800 0f00 00000002");                  // NFTA_TRACE_NFPROTO

    /// <summary>Rule 12 of chain input_wan drops it; later events of a hook carry no headers.</summary>
    public static readonly byte[] TraceDrop = Hex(
        "58000000 110a 0000 00000000 00000000", // nlmsghdr: len 88
        "01 00 0000",                           // nfgenmsg
        "0c00 0100 726f757465726400",           // NFTA_TRACE_TABLE "routerd\0"
        "0e00 0200 696e7075745f77616e00 0000",  // NFTA_TRACE_CHAIN "input_wan\0" + 2 padding
        "0800 0600 deadbeef",                   // NFTA_TRACE_ID
        "0800 0400 00000003",                   // NFTA_TRACE_TYPE NFT_TRACETYPE_RULE
        "0c00 0300 000000000000000c",           // NFTA_TRACE_RULE_HANDLE 12
        "0c00 0580 0800 0100 00000000");        // NFTA_TRACE_VERDICT { NFTA_VERDICT_CODE NF_DROP }

    /// <summary>conntrack -L: a port-forwarded TCP connection, 198.51.100.10:40000 → 203.0.113.10:8080,
    /// answered by 192.168.1.77:7100, established.</summary>
    public static readonly byte[] ConntrackForwarded = Hex(
        "d4000000 0001 0200 2a000000 00000000", // nlmsghdr: len 212, NFNL_SUBSYS_CTNETLINK<<8 | IPCTNL_MSG_CT_NEW, NLM_F_MULTI, seq 42
        "02 00 0000",                           // nfgenmsg: AF_INET
        "3400 0180",                            // CTA_TUPLE_ORIG | NLA_F_NESTED, 52 bytes:
        "  1400 0180 0800 0100 c633640a 0800 0200 cb00710a", // CTA_TUPLE_IP { CTA_IP_V4_SRC, CTA_IP_V4_DST }
        "  1c00 0280 0500 0100 06 000000 0600 0200 9c40 0000 0600 0300 1f90 0000", // CTA_TUPLE_PROTO { TCP, 40000, 8080 }
        "3400 0280",                            // CTA_TUPLE_REPLY | NLA_F_NESTED, 52 bytes:
        "  1400 0180 0800 0100 c0a8014d 0800 0200 c633640a", // 192.168.1.77 → 198.51.100.10
        "  1c00 0280 0500 0100 06 000000 0600 0200 1bbc 0000 0600 0300 9c40 0000", // TCP 7100 → 40000
        "0800 0c00 12345678",                   // CTA_ID (not read)
        "0800 0300 000001ae",                   // CTA_STATUS SEEN_REPLY|ASSURED|CONFIRMED|DST_NAT|SRC_NAT_DONE|DST_NAT_DONE
        "0800 0700 0006977f",                   // CTA_TIMEOUT 431999 s
        "0800 0800 00000000",                   // CTA_MARK
        "0800 0b00 00000001",                   // CTA_USE
        "3000 0480",                            // CTA_PROTOINFO | NLA_F_NESTED, 48 bytes:
        "  2c00 0180",                          //   CTA_PROTOINFO_TCP | NLA_F_NESTED, 44 bytes:
        "    0500 0100 03 000000",              //     CTA_PROTOINFO_TCP_STATE ESTABLISHED
        "    0500 0200 07 000000 0500 0300 07 000000", // window scales
        "    0600 0400 2323 0000 0600 0500 2323 0000"); // flags and masks

    /// <summary>An IPv6 UDP exchange the device opened, with accounting on: 2001:db8:1::77:50000 → 2001:db8:ff::10:53.</summary>
    public static readonly byte[] ConntrackUdp6 = Hex(
        "04010000 0001 0200 2a000000 00000000", // nlmsghdr: len 260
        "0a 00 0000",                           // nfgenmsg: AF_INET6
        "4c00 0180",                            // CTA_TUPLE_ORIG, 76 bytes:
        "  2c00 0180 1400 0300 20010db8000100000000000000000077 1400 0400 20010db800ff00000000000000000010", // { CTA_IP_V6_SRC, CTA_IP_V6_DST }
        "  1c00 0280 0500 0100 11 000000 0600 0200 c350 0000 0600 0300 0035 0000", // { UDP, 50000, 53 }
        "4c00 0280",                            // CTA_TUPLE_REPLY, 76 bytes:
        "  2c00 0180 1400 0300 20010db800ff00000000000000000010 1400 0400 20010db8000100000000000000000077",
        "  1c00 0280 0500 0100 11 000000 0600 0200 0035 0000 0600 0300 c350 0000",
        "0800 0300 0000000a",                   // CTA_STATUS SEEN_REPLY|CONFIRMED
        "0800 0700 0000001e",                   // CTA_TIMEOUT 30 s
        "0800 0800 00000002",                   // CTA_MARK 2 (the fast path's "counted by conntrack")
        "0800 0c00 12345678",                   // CTA_ID
        "1c00 0980 0c00 0100 0000000000000003 0c00 0200 00000000000000b4", // CTA_COUNTERS_ORIG { 3 packets, 180 bytes }
        "1c00 0a80 0c00 0100 0000000000000001 0c00 0200 0000000000000064"); // CTA_COUNTERS_REPLY { 1 packet, 100 bytes }

    public static IEnumerable<byte[]> All => [TraceJump, TracePolicy, TraceDrop, ConntrackForwarded, ConntrackUdp6];
}

public class NetfilterDecoderTests
{
    [Fact]
    public void Golden_messages_are_exactly_as_long_as_their_headers_say()
    {
        foreach (var message in NetfilterGoldenMessages.All)
            Assert.Equal((uint)message.Length, BinaryPrimitives.ReadUInt32LittleEndian(message));
    }

    [Fact]
    public void A_rule_event_with_a_jump_and_the_packets_headers()
    {
        var (type, e) = DecodeTrace(NetfilterGoldenMessages.TraceJump);

        Assert.Equal((ushort)0x0a11, type);
        Assert.Equal(new TraceEvent(0xdeadbeef, "routerd", "input", TraceType.Rule, 5, TraceVerdict.Jump, "input_wan",
            new TracePacket(IPAddress.Parse("198.51.100.10"), IPAddress.Parse("203.0.113.10"), 6, 40000, 8443), InputInterface: 2), e);
    }

    [Fact]
    public void A_policy_event_takes_its_verdict_from_the_chains_policy()
    {
        var (_, e) = DecodeTrace(NetfilterGoldenMessages.TracePolicy);

        Assert.Equal(new TraceEvent(0xdeadbeef, "routerd", "forward_dstnat", TraceType.Policy, null, TraceVerdict.Accept), e);
    }

    [Fact]
    public void A_drop_without_headers()
    {
        var (_, e) = DecodeTrace(NetfilterGoldenMessages.TraceDrop);

        Assert.Equal(new TraceEvent(0xdeadbeef, "routerd", "input_wan", TraceType.Rule, 12, TraceVerdict.Drop), e);
    }

    [Theory]
    [InlineData(0, TraceVerdict.Drop)]
    [InlineData(1, TraceVerdict.Accept)]
    [InlineData(2, TraceVerdict.Stolen)]
    [InlineData(0x00050003, TraceVerdict.Queue)] // NF_QUEUE to queue 5: the number rides above the low byte
    [InlineData(-1, TraceVerdict.Continue)]
    [InlineData(-2, TraceVerdict.Break)]
    [InlineData(-3, TraceVerdict.Jump)]
    [InlineData(-4, TraceVerdict.Goto)]
    [InlineData(-5, TraceVerdict.Return)]
    [InlineData(-9, TraceVerdict.Unknown)]
    public void Verdict_codes_by_name(int code, TraceVerdict expected) => Assert.Equal(expected, NetfilterDecoders.Verdict(code));

    [Fact]
    public void A_trace_event_without_its_id_or_type_is_not_one()
    {
        // Cut after the chain: table and chain alone do not make an event.
        var message = NetfilterGoldenMessages.TraceJump[..(16 + 4 + 12 + 12)];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.TryRead(out _, out var payload));
        Assert.False(NetfilterDecoders.TryDecodeTrace(payload, out _));
    }

    [Fact]
    public void Truncated_and_lying_trace_events_never_throw()
    {
        foreach (var golden in NetfilterGoldenMessages.All)
            for (int cut = 16; cut < golden.Length; cut++)
            {
                var payload = golden.AsSpan(16, cut - 16);
                NetfilterDecoders.TryDecodeTrace(payload, out _);
                NetfilterDecoders.TryDecodeConntrack(payload, out _);
            }
        var lying = (byte[])NetfilterGoldenMessages.TraceJump.Clone();
        lying[16 + 4 + 12 + 12 + 8 + 8 + 12] = 0xff; // the verdict's length runs past the message
        NetfilterDecoders.TryDecodeTrace(lying.AsSpan(16), out _);
    }

    [Fact]
    public void A_port_forwarded_tcp_connection()
    {
        var e = DecodeConntrack(NetfilterGoldenMessages.ConntrackForwarded);

        Assert.Equal(6, e.Protocol);
        Assert.Equal(new ConntrackTuple(IPAddress.Parse("198.51.100.10"), IPAddress.Parse("203.0.113.10"), 40000, 8080), e.Original);
        Assert.Equal(new ConntrackTuple(IPAddress.Parse("192.168.1.77"), IPAddress.Parse("198.51.100.10"), 7100, 40000), e.Reply);
        Assert.Equal(0x1aeu, e.Status);
        Assert.Equal((byte)3, e.TcpState);
        Assert.Equal(431999u, e.TimeoutSeconds);
        Assert.Null(e.Bytes);
    }

    [Fact]
    public void An_ipv6_udp_exchange_with_its_counters_added_up()
    {
        var e = DecodeConntrack(NetfilterGoldenMessages.ConntrackUdp6);

        Assert.Equal(17, e.Protocol);
        Assert.Equal(new ConntrackTuple(IPAddress.Parse("2001:db8:1::77"), IPAddress.Parse("2001:db8:ff::10"), 50000, 53), e.Original);
        Assert.Null(e.TcpState);
        Assert.Equal(30u, e.TimeoutSeconds);
        Assert.Equal(280ul, e.Bytes);
        Assert.Equal(4ul, e.Packets);
        // Each direction on its own (the traffic meter's upload and download), the mark and the id.
        Assert.Equal((180ul, 3ul, 100ul, 1ul), (e.OriginalBytes, e.OriginalPackets, e.ReplyBytes, e.ReplyPackets));
        Assert.Equal(2u, e.Mark);
        Assert.Equal(0x12345678u, e.Id);
    }

    [Fact]
    public void Conntrack_dump_request() => RtnlRequestTests.AssertWrites(NetfilterRequests.DumpConntrack,
        "14000000 0101 0103 2a000000 00000000", // len 20, NFNL_SUBSYS_CTNETLINK<<8 | IPCTNL_MSG_CT_GET, NLM_F_REQUEST|NLM_F_DUMP, seq 42
        "00 00 0000");                          // nfgenmsg: AF_UNSPEC (IPv4 and IPv6), version 0

    static (ushort Type, TraceEvent Event) DecodeTrace(byte[] message)
    {
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.TryRead(out var header, out var payload));
        Assert.True(NetfilterDecoders.TryDecodeTrace(payload, out var e));
        Assert.False(reader.TryRead(out _, out _));
        Assert.False(reader.Malformed);
        return (header.nlmsg_type, e);
    }

    static ConntrackEntry DecodeConntrack(byte[] message)
    {
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.TryRead(out var header, out var payload));
        Assert.Equal((ushort)0x0100, header.nlmsg_type);
        Assert.True(NetfilterDecoders.TryDecodeConntrack(payload, out var e));
        Assert.False(reader.Malformed);
        return e;
    }
}
