using System.Buffers.Binary;
using System.Net;
using Routerd.Core.Net;
using Routerd.Platform.Netlink;
using Xunit;
using static Routerd.Tests.Netlink.GoldenMessages;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Netlink;

public class RtnlDecoderTests
{
    [Fact]
    public void Golden_messages_are_exactly_as_long_as_their_headers_say()
    {
        foreach (var message in All)
            Assert.Equal((uint)message.Length, BinaryPrimitives.ReadUInt32LittleEndian(message));
    }

    [Fact]
    public void Decodes_a_reachable_neighbour()
    {
        var change = DecodeSingle(NewNeighbour);

        Assert.Equal(new NeighbourEvent(new NeighbourInfo(3, IPAddress.Parse("192.168.1.100"), MacAddress.Parse("02:00:00:00:00:01"), NeighbourState.Reachable), Deleted: false), change);
    }

    [Fact]
    public void Decodes_a_link_with_master_and_kind()
    {
        var change = DecodeSingle(NewLink);

        Assert.Equal(new LinkEvent(new LinkInfo(4, "lan0", MacAddress.Parse("02:00:00:00:00:02"), AdminUp: true, LowerUp: true, 1500, MasterIndex: 5, "veth"), Deleted: false), change);
    }

    [Fact]
    public void Link_kind_is_found_when_linkinfo_carries_the_nested_flag()
    {
        var message = (byte[])NewLink.Clone();
        message[16 + 16 + 12 + 8 + 12 + 8 + 3] |= 0x80; // IFLA_LINKINFO | NLA_F_NESTED

        var link = Assert.IsType<LinkEvent>(DecodeSingle(message)).Link;

        Assert.Equal("veth", link.Kind);
    }

    [Fact]
    public void Admin_and_lower_state_follow_iff_up_and_iff_lower_up()
    {
        var message = (byte[])NewLink.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(16 + 8), 0x1003); // UP|BROADCAST|MULTICAST, no carrier

        var link = Assert.IsType<LinkEvent>(DecodeSingle(message)).Link;

        Assert.True(link.AdminUp);
        Assert.False(link.LowerUp);
    }

    [Fact]
    public void A_bridge_port_notification_is_not_a_link_event()
    {
        var message = (byte[])NewLink.Clone();
        message[16] = 7; // AF_BRIDGE: the bridge speaking about its port, not the link itself
        message[4] = 17; // RTM_DELLINK, as sent when the port leaves the bridge

        Assert.Null(DecodeSingle(message));
    }

    [Fact]
    public void Decodes_an_ipv4_address()
    {
        var change = DecodeSingle(NewAddressV4);

        Assert.Equal(new AddressEvent(new AddressInfo(4, IPAddress.Parse("192.168.1.1"), 24, AddressScope.Universe), Deleted: false), change);
    }

    [Fact]
    public void Decodes_an_ipv6_link_local_address()
    {
        var change = DecodeSingle(NewAddressV6);

        Assert.Equal(new AddressEvent(new AddressInfo(4, IPAddress.Parse("fe80::ff:fe00:2"), 64, AddressScope.Link), Deleted: false), change);
    }

    [Fact]
    public void Point_to_point_address_is_the_local_one_not_the_peer()
    {
        var address = Assert.IsType<AddressEvent>(DecodeSingle(NewAddressPointToPoint)).Address;

        Assert.Equal(IPAddress.Parse("10.0.0.1"), address.Address);
    }

    [Fact]
    public void Deleted_address_is_flagged()
    {
        var message = (byte[])NewAddressV4.Clone();
        message[4] = 21; // RTM_DELADDR

        Assert.True(Assert.IsType<AddressEvent>(DecodeSingle(message)).Deleted);
    }

    [Fact]
    public void Decodes_the_default_route()
    {
        Assert.True(RtnlDecoders.TryDecodeRoute(Payload(NewDefaultRoute), out var route));

        Assert.Equal(new RouteInfo(null, IPAddress.Parse("192.168.0.254"), 2, Protocol: 16), route);
    }

    [Fact]
    public void Decodes_a_connected_route()
    {
        Assert.True(RtnlDecoders.TryDecodeRoute(Payload(NewConnectedRoute), out var route));

        Assert.Equal(new RouteInfo(Ipv4Network.Parse("192.168.0.0/24"), null, 2, Protocol: 2), route);
    }

    [Theory]
    [InlineData(255, 1, 255)]   // the local table
    [InlineData(252, 1, 1000)]  // a table id above 255: rtm_table says RT_TABLE_COMPAT, RTA_TABLE the truth
    [InlineData(254, 6, 254)]   // a blackhole route in main
    public void Only_unicast_routes_of_the_main_table_are_kept(byte rtmTable, byte rtmType, uint rtaTable)
    {
        var message = (byte[])NewDefaultRoute.Clone();
        message[16 + 4] = rtmTable;
        message[16 + 7] = rtmType;
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(16 + 12 + 4), rtaTable);

        Assert.False(RtnlDecoders.TryDecodeRoute(Payload(message), out _));
    }

    [Fact]
    public void Routes_are_not_watch_events()
    {
        Assert.Null(DecodeSingle(NewDefaultRoute));
    }

    private static ReadOnlySpan<byte> Payload(byte[] message)
    {
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.TryRead(out _, out var payload));
        return payload;
    }

    [Fact]
    public void Decodes_a_root_and_a_leaf_qdisc()
    {
        Assert.True(RtnlDecoders.TryDecodeQdisc(NewRootHtbQdisc.AsSpan(16), out var root));
        Assert.Equal(new QdiscInfo(3, 0x0001_0000, 0xffff_ffff, "htb"), root);
        Assert.True(root.IsRoot);
        Assert.True(RtnlDecoders.TryDecodeQdisc(NewLeafQdisc.AsSpan(16), out var leaf));
        Assert.Equal(new QdiscInfo(3, 0x000a_0000, 0x0001_000a, "pfifo"), leaf);
        Assert.False(leaf.IsRoot);
    }

    [Fact]
    public void A_qdisc_without_its_kind_or_cut_short_is_no_qdisc()
    {
        Assert.False(RtnlDecoders.TryDecodeQdisc(NewRootHtbQdisc.AsSpan(16, 20), out _)); // the header alone
        Assert.False(RtnlDecoders.TryDecodeQdisc(NewRootHtbQdisc.AsSpan(16, 10), out _)); // not even that
    }

    private static NetworkEvent? DecodeSingle(byte[] message)
    {
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.TryRead(out var header, out var payload));
        var change = RtnlDecoders.DecodeEvent(header.nlmsg_type, payload);
        Assert.False(reader.TryRead(out _, out _));
        Assert.False(reader.Malformed);
        return change;
    }
}
