using static Routerd.Platform.Netlink.NetlinkInterop;

namespace Routerd.Platform.Netlink;

/// <summary>The requests routerd sends over netlink (rtnetlink dumps, one nf_tables query). Each body is the full fixed header of its
/// message type (not the legacy one-byte rtgenmsg) so the requests stay valid should strict
/// checking (NETLINK_GET_STRICT_CHK) ever be switched on.</summary>
internal static class RtnlRequests
{
    public const int MaxLength = 64;

    public static int GetLinks(Span<byte> buffer, uint seq) =>
        Dump(buffer, RTM_GETLINK, seq, new ifinfomsg { ifi_family = AF_UNSPEC });

    /// <summary>IPv4 and IPv6 addresses of every link.</summary>
    public static int GetAddresses(Span<byte> buffer, uint seq) =>
        Dump(buffer, RTM_GETADDR, seq, new ifaddrmsg { ifa_family = AF_UNSPEC });

    /// <summary>Without strict checking the kernel ignores rtm_table and dumps every table; the
    /// decoder filters on the main table as well.</summary>
    public static int GetIpv4Routes(Span<byte> buffer, uint seq) =>
        Dump(buffer, RTM_GETROUTE, seq, new rtmsg { rtm_family = AF_INET, rtm_table = RT_TABLE_MAIN });

    public static int GetIpv6Routes(Span<byte> buffer, uint seq) =>
        Dump(buffer, RTM_GETROUTE, seq, new rtmsg { rtm_family = AF_INET6, rtm_table = RT_TABLE_MAIN });

    /// <summary>AF_UNSPEC gives both ARP and NDP entries (not the bridge FDB, which is AF_BRIDGE).</summary>
    public static int GetNeighbours(Span<byte> buffer, uint seq) =>
        Dump(buffer, RTM_GETNEIGH, seq, new ndmsg { ndm_family = AF_UNSPEC });

    /// <summary>Every device's qdiscs (tcm_ifindex 0: all devices).</summary>
    public static int GetQdiscs(Span<byte> buffer, uint seq) =>
        Dump(buffer, RTM_GETQDISC, seq, new tcmsg { tcm_family = AF_UNSPEC });

    /// <summary>One nf_tables table by family and name: answered with the table (NFT_MSG_NEWTABLE)
    /// or refused with ENOENT.</summary>
    public static int GetTable(Span<byte> buffer, uint seq, byte family, string name)
    {
        var writer = new NetlinkRequestWriter(buffer, NfTablesMessage(NFT_MSG_GETTABLE), NLM_F_REQUEST, seq);
        writer.Append(new nfgenmsg { nfgen_family = family, version = NFNETLINK_V0 });
        writer.AppendString(NFTA_TABLE_NAME, name);
        return writer.Finish();
    }

    private static int Dump<T>(Span<byte> buffer, ushort type, uint seq, in T body) where T : unmanaged
    {
        var writer = new NetlinkRequestWriter(buffer, type, NLM_F_REQUEST | NLM_F_DUMP, seq);
        writer.Append(in body);
        return writer.Finish();
    }
}
