using System.Runtime.InteropServices;

// The kernel's names are kept on purpose, so that a line here can be checked against
// include/uapi/linux/{netlink,rtnetlink,if_link,if_addr,neighbour,if}.h by eye.
#pragma warning disable CS8981, IDE1006

namespace Routerd.Platform.Netlink;

[StructLayout(LayoutKind.Sequential)]
internal struct sockaddr_nl
{
    public ushort nl_family;
    public ushort nl_pad;
    public uint nl_pid;
    public uint nl_groups;
}

[StructLayout(LayoutKind.Sequential)]
internal struct nlmsghdr
{
    public uint nlmsg_len;
    public ushort nlmsg_type;
    public ushort nlmsg_flags;
    public uint nlmsg_seq;
    public uint nlmsg_pid;
}

[StructLayout(LayoutKind.Sequential)]
internal struct rtattr
{
    public ushort rta_len;
    public ushort rta_type;
}

[StructLayout(LayoutKind.Sequential)]
internal struct ifinfomsg
{
    public byte ifi_family;
    public byte __ifi_pad;
    public ushort ifi_type;
    public int ifi_index;
    public uint ifi_flags;
    public uint ifi_change;
}

[StructLayout(LayoutKind.Sequential)]
internal struct ifaddrmsg
{
    public byte ifa_family;
    public byte ifa_prefixlen;
    public byte ifa_flags;
    public byte ifa_scope;
    public uint ifa_index;
}

[StructLayout(LayoutKind.Sequential)]
internal struct rtmsg
{
    public byte rtm_family;
    public byte rtm_dst_len;
    public byte rtm_src_len;
    public byte rtm_tos;
    public byte rtm_table;
    public byte rtm_protocol;
    public byte rtm_scope;
    public byte rtm_type;
    public uint rtm_flags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct ndmsg
{
    public byte ndm_family;
    public byte ndm_pad1;
    public ushort ndm_pad2;
    public int ndm_ifindex;
    public ushort ndm_state;
    public byte ndm_flags;
    public byte ndm_type;
}

/// <summary>The header after nlmsghdr of every nfnetlink message (include/uapi/linux/netfilter/nfnetlink.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct nfgenmsg
{
    public byte nfgen_family;
    public byte version;
    public ushort res_id; // big-endian
}

/// <summary>The header of qdisc and class messages (include/uapi/linux/rtnetlink.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct tcmsg
{
    public byte tcm_family;
    public byte tcm__pad1;
    public ushort tcm__pad2;
    public int tcm_ifindex;
    public uint tcm_handle;
    public uint tcm_parent;
    public uint tcm_info;
}

internal static class NetlinkInterop
{
    public const int NETLINK_ROUTE = 0;
    public const int NETLINK_NETFILTER = 12;

    public const int NLMSG_ALIGNTO = 4;
    public const int NLMSG_HDRLEN = 16;
    public static int NLMSG_ALIGN(int len) => (len + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);

    public const int RTA_ALIGNTO = 4;
    public const int RTA_HDRLEN = 4;
    public static int RTA_ALIGN(int len) => (len + RTA_ALIGNTO - 1) & ~(RTA_ALIGNTO - 1);

    // Attribute types may carry these two flag bits (IFLA_LINKINFO arrives with NLA_F_NESTED
    // from some kernels); the type is what is left under NLA_TYPE_MASK.
    public const ushort NLA_F_NESTED = 1 << 15;
    public const ushort NLA_F_NET_BYTEORDER = 1 << 14;
    public const ushort NLA_TYPE_MASK = unchecked((ushort)~(NLA_F_NESTED | NLA_F_NET_BYTEORDER));

    public const ushort NLMSG_NOOP = 0x1;
    public const ushort NLMSG_ERROR = 0x2;
    public const ushort NLMSG_DONE = 0x3;
    public const ushort NLMSG_OVERRUN = 0x4;

    public const ushort NLM_F_REQUEST = 0x01;
    public const ushort NLM_F_MULTI = 0x02;
    public const ushort NLM_F_ACK = 0x04;
    public const ushort NLM_F_ECHO = 0x08;
    public const ushort NLM_F_DUMP_INTR = 0x10;
    public const ushort NLM_F_ROOT = 0x100;
    public const ushort NLM_F_MATCH = 0x200;
    public const ushort NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;

    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_DELLINK = 17;
    public const ushort RTM_GETLINK = 18;
    public const ushort RTM_NEWADDR = 20;
    public const ushort RTM_DELADDR = 21;
    public const ushort RTM_GETADDR = 22;
    public const ushort RTM_NEWROUTE = 24;
    public const ushort RTM_DELROUTE = 25;
    public const ushort RTM_GETROUTE = 26;
    public const ushort RTM_NEWNEIGH = 28;
    public const ushort RTM_DELNEIGH = 29;
    public const ushort RTM_GETNEIGH = 30;

    public const ushort RTM_NEWQDISC = 36;
    public const ushort RTM_GETQDISC = 38;

    public const ushort TCA_KIND = 1;
    /// <summary>tcm_parent of a device's root qdisc.</summary>
    public const uint TC_H_ROOT = 0xFFFFFFFF;

    // nf_tables over nfnetlink: the message type is the subsystem in the high byte, the
    // command in the low one (include/uapi/linux/netfilter/nf_tables.h).
    public const byte NFNL_SUBSYS_NFTABLES = 10;
    public const byte NFT_MSG_NEWTABLE = 0;
    public const byte NFT_MSG_GETTABLE = 1;
    public const byte NFNETLINK_V0 = 0;
    public const ushort NFTA_TABLE_NAME = 1;
    public const byte NFPROTO_INET = 1;
    public static ushort NfTablesMessage(byte command) => (ushort)(NFNL_SUBSYS_NFTABLES << 8 | command);

    public const uint RTMGRP_LINK = 0x1;
    public const uint RTMGRP_NEIGH = 0x4;
    public const uint RTMGRP_IPV4_IFADDR = 0x10;
    public const uint RTMGRP_IPV4_ROUTE = 0x40;
    public const uint RTMGRP_IPV6_IFADDR = 0x100;

    // Address families as they appear in the family byte of the rtnetlink headers.
    public const byte AF_UNSPEC = 0;
    public const byte AF_INET = 2;
    public const byte AF_BRIDGE = 7;
    public const byte AF_INET6 = 10;
    public const ushort AF_NETLINK = 16;

    public const uint IFF_UP = 1 << 0;
    public const uint IFF_LOWER_UP = 1 << 16;

    public const ushort IFLA_UNSPEC = 0;
    public const ushort IFLA_ADDRESS = 1;
    public const ushort IFLA_BROADCAST = 2;
    public const ushort IFLA_IFNAME = 3;
    public const ushort IFLA_MTU = 4;
    public const ushort IFLA_LINK = 5;
    public const ushort IFLA_MASTER = 10;
    public const ushort IFLA_LINKINFO = 18;
    public const ushort IFLA_INFO_KIND = 1;
    public const ushort IFLA_INFO_DATA = 2;

    public const ushort IFA_UNSPEC = 0;
    public const ushort IFA_ADDRESS = 1;
    public const ushort IFA_LOCAL = 2;
    public const ushort IFA_LABEL = 3;
    public const ushort IFA_BROADCAST = 4;
    public const ushort IFA_FLAGS = 8;

    public const ushort RTA_UNSPEC = 0;
    public const ushort RTA_DST = 1;
    public const ushort RTA_SRC = 2;
    public const ushort RTA_IIF = 3;
    public const ushort RTA_OIF = 4;
    public const ushort RTA_GATEWAY = 5;
    public const ushort RTA_PRIORITY = 6;
    public const ushort RTA_PREFSRC = 7;
    public const ushort RTA_MULTIPATH = 9;
    public const ushort RTA_TABLE = 15;

    public const byte RT_TABLE_MAIN = 254;
    public const byte RTN_UNICAST = 1;

    public const ushort NDA_UNSPEC = 0;
    public const ushort NDA_DST = 1;
    public const ushort NDA_LLADDR = 2;
}
