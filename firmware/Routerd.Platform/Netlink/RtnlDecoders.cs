using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Routerd.Core.Net;
using static Routerd.Platform.Netlink.NetlinkInterop;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Platform.Netlink;

/// <summary>Turns rtnetlink message payloads (the bytes after nlmsghdr) into fact records.</summary>
/// <remarks>Every decoder returns false for a message it cannot make a whole fact of — too
/// short, a family we do not track, a required attribute missing — and never throws on input.</remarks>
internal static class RtnlDecoders
{
    public static bool TryDecodeLink(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out LinkInfo? link)
    {
        link = null;
        if (!TryReadBody(payload, out ifinfomsg ifi, out var attributes)) return false;
        // The bridge announces its ports as AF_BRIDGE RTM_NEWLINK/RTM_DELLINK on the same group;
        // a port leaving a bridge must not look like the link disappearing.
        if (ifi.ifi_family != AF_UNSPEC) return false;

        string? name = null;
        MacAddress? mac = null;
        int mtu = 0;
        int? master = null;
        string? kind = null;
        var reader = new RtAttributeReader(attributes);
        while (reader.TryRead(out ushort type, out var value))
        {
            switch (type)
            {
                case IFLA_IFNAME: name = RtAttributeReader.ReadString(value); break;
                // Links without an Ethernet address (ppp, tun, sit) report none or another length.
                case IFLA_ADDRESS when value.Length == 6: mac = MacAddress.FromBytes(value); break;
                case IFLA_MTU when RtAttributeReader.TryReadInt32(value, out int m): mtu = m; break;
                case IFLA_MASTER when RtAttributeReader.TryReadInt32(value, out int m) && m != 0: master = m; break;
                case IFLA_LINKINFO: kind = ReadLinkKind(value); break;
            }
        }

        if (string.IsNullOrEmpty(name)) return false;
        link = new LinkInfo(ifi.ifi_index, name, mac, (ifi.ifi_flags & IFF_UP) != 0, (ifi.ifi_flags & IFF_LOWER_UP) != 0, mtu, master, kind);
        return true;
    }

    private static string? ReadLinkKind(ReadOnlySpan<byte> linkInfo)
    {
        var reader = new RtAttributeReader(linkInfo);
        while (reader.TryRead(out ushort type, out var value))
            if (type == IFLA_INFO_KIND) return RtAttributeReader.ReadString(value);
        return null;
    }

    public static bool TryDecodeAddress(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out AddressInfo? address)
    {
        address = null;
        if (!TryReadBody(payload, out ifaddrmsg ifa, out var attributes)) return false;
        int size = AddressSize(ifa.ifa_family);
        if (size == 0) return false;

        // On point-to-point links IFA_ADDRESS is the peer and IFA_LOCAL our own address; on
        // others both are equal. IPv6 sends only IFA_ADDRESS.
        IPAddress? local = null, any = null;
        var reader = new RtAttributeReader(attributes);
        while (reader.TryRead(out ushort type, out var value))
        {
            if (value.Length != size) continue;
            if (type == IFA_LOCAL) local = new IPAddress(value);
            else if (type == IFA_ADDRESS) any = new IPAddress(value);
        }

        var chosen = local ?? any;
        if (chosen is null || ifa.ifa_prefixlen > size * 8) return false;
        address = new AddressInfo((int)ifa.ifa_index, chosen, ifa.ifa_prefixlen, (AddressScope)ifa.ifa_scope);
        return true;
    }

    /// <summary>Unicast routes of the main IPv4 table only: blackhole/unreachable/local routes
    /// have no way to be told apart in RouteInfo, so they are left out rather than misread.</summary>
    public static bool TryDecodeRoute(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out RouteInfo? route)
    {
        route = null;
        if (!TryReadBody(payload, out rtmsg rtm, out var attributes)) return false;
        if (rtm.rtm_family != AF_INET || rtm.rtm_type != RTN_UNICAST || rtm.rtm_dst_len > 32) return false;
        var a = RouteAttributes.Read(rtm, attributes, 4);
        if (a.Table != RT_TABLE_MAIN) return false;
        Ipv4Network? network = rtm.rtm_dst_len == 0 ? null : new Ipv4Network(a.Destination is { } d ? Ipv4Network.ToUInt(d) : 0, rtm.rtm_dst_len);
        route = new RouteInfo(network, a.Gateway, a.OutputInterface, rtm.rtm_protocol);
        return true;
    }

    /// <summary>IPv6 default routes of the main table via one gateway; multipath ones (RTA_MULTIPATH,
    /// several routers on the link) have no single gateway and are left out.</summary>
    public static bool TryDecodeIpv6DefaultRoute(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out Ipv6DefaultRouteInfo? route)
    {
        route = null;
        if (!TryReadBody(payload, out rtmsg rtm, out var attributes)) return false;
        if (rtm.rtm_family != AF_INET6 || rtm.rtm_type != RTN_UNICAST || rtm.rtm_dst_len != 0) return false;
        var a = RouteAttributes.Read(rtm, attributes, 16);
        if (a.Table != RT_TABLE_MAIN || a.Gateway is null || a.OutputInterface is not { } index) return false;
        route = new Ipv6DefaultRouteInfo(a.Gateway, index, a.Metric);
        return true;
    }

    /// <summary>What both route decoders read, addresses of <c>size</c> bytes (4 or 16).</summary>
    private readonly record struct RouteAttributes(uint Table, IPAddress? Destination, IPAddress? Gateway, int? OutputInterface, uint Metric)
    {
        public static RouteAttributes Read(in rtmsg rtm, ReadOnlySpan<byte> attributes, int size)
        {
            var a = new RouteAttributes(rtm.rtm_table, null, null, null, 0);
            var reader = new RtAttributeReader(attributes);
            while (reader.TryRead(out ushort type, out var value))
            {
                switch (type)
                {
                    // rtm_table is one byte; tables above 255 only fit in RTA_TABLE.
                    case RTA_TABLE when RtAttributeReader.TryReadUInt32(value, out uint t): a = a with { Table = t }; break;
                    case RTA_DST when value.Length == size: a = a with { Destination = new IPAddress(value) }; break;
                    case RTA_GATEWAY when value.Length == size: a = a with { Gateway = new IPAddress(value) }; break;
                    case RTA_OIF when RtAttributeReader.TryReadInt32(value, out int oif): a = a with { OutputInterface = oif }; break;
                    case RTA_PRIORITY when RtAttributeReader.TryReadUInt32(value, out uint m): a = a with { Metric = m }; break;
                }
            }
            return a;
        }
    }

    public static bool TryDecodeNeighbour(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out NeighbourInfo? neighbour)
    {
        neighbour = null;
        if (!TryReadBody(payload, out ndmsg ndm, out var attributes)) return false;
        // The bridge FDB (AF_BRIDGE) shares RTMGRP_NEIGH; it has MACs but no IP addresses.
        int size = AddressSize(ndm.ndm_family);
        if (size == 0) return false;

        IPAddress? destination = null;
        MacAddress? mac = null;
        var reader = new RtAttributeReader(attributes);
        while (reader.TryRead(out ushort type, out var value))
        {
            if (type == NDA_DST && value.Length == size) destination = new IPAddress(value);
            // An INCOMPLETE or FAILED entry carries no (or an all-zero) link-layer address.
            else if (type == NDA_LLADDR && value.Length == 6) mac = MacAddress.FromBytes(value);
        }

        if (destination is null) return false;
        neighbour = new NeighbourInfo(ndm.ndm_ifindex, destination, mac, (NeighbourState)ndm.ndm_state);
        return true;
    }

    /// <summary>A qdisc: its device, handle, parent (TC_H_ROOT for the root) and kind ("htb").</summary>
    public static bool TryDecodeQdisc(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out QdiscInfo? qdisc)
    {
        qdisc = null;
        if (!TryReadBody(payload, out tcmsg tcm, out var attributes)) return false;
        string? kind = null;
        var reader = new RtAttributeReader(attributes);
        while (reader.TryRead(out ushort type, out var value))
            if (type == TCA_KIND) kind = RtAttributeReader.ReadString(value);
        if (string.IsNullOrEmpty(kind)) return false;
        qdisc = new QdiscInfo(tcm.tcm_ifindex, tcm.tcm_handle, tcm.tcm_parent, kind);
        return true;
    }

    /// <summary>The change a multicast notification announces, or null for anything else.</summary>
    public static NetworkEvent? DecodeEvent(ushort messageType, ReadOnlySpan<byte> payload) => messageType switch
    {
        RTM_NEWLINK or RTM_DELLINK when TryDecodeLink(payload, out var link) => new LinkEvent(link, messageType == RTM_DELLINK),
        RTM_NEWADDR or RTM_DELADDR when TryDecodeAddress(payload, out var address) => new AddressEvent(address, messageType == RTM_DELADDR),
        RTM_NEWNEIGH or RTM_DELNEIGH when TryDecodeNeighbour(payload, out var neighbour) => new NeighbourEvent(neighbour, messageType == RTM_DELNEIGH),
        _ => null,
    };

    private static int AddressSize(byte family) => family switch { AF_INET => 4, AF_INET6 => 16, _ => 0 };

    /// <summary>The fixed header and the attributes after it, which start at its aligned size.</summary>
    private static bool TryReadBody<T>(ReadOnlySpan<byte> payload, out T body, out ReadOnlySpan<byte> attributes) where T : unmanaged
    {
        attributes = default;
        if (!MemoryMarshal.TryRead(payload, out body)) return false;
        attributes = payload[Math.Min(NLMSG_ALIGN(Unsafe.SizeOf<T>()), payload.Length)..];
        return true;
    }
}

/// <summary>One qdisc as the kernel reports it (handles as 32-bit major:minor).</summary>
public sealed record QdiscInfo(int InterfaceIndex, uint Handle, uint Parent, string Kind)
{
    public bool IsRoot => Parent == NetlinkInterop.TC_H_ROOT;
}
