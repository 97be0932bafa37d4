// The kernel's names are kept on purpose, so that a line here can be checked against
// include/uapi/linux/netfilter/{nfnetlink,nf_tables,nfnetlink_conntrack,nf_conntrack_common}.h by eye.
#pragma warning disable CS8981, IDE1006

namespace Routerd.Platform.Netlink;

/// <summary>nf_tables trace events and ctnetlink (conntrack) over nfnetlink: the message type is the
/// subsystem in the high byte and the command in the low one, the body an nfgenmsg, then attributes
/// whose integers are big-endian (unlike rtnetlink's).</summary>
internal static class NetfilterInterop
{
    // include/uapi/linux/netfilter/nfnetlink.h: multicast groups (bind's nl_groups bit is 1 << (group - 1)).
    public const int NFNLGRP_NFTRACE = 9;
    public const uint NfTraceGroupBit = 1u << (NFNLGRP_NFTRACE - 1);

    public const byte NFNL_SUBSYS_CTNETLINK = 1;

    // enum nf_tables_msg_types
    public const byte NFT_MSG_TRACE = 17;
    public const ushort NftTraceMessage = (ushort)(NetlinkInterop.NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_TRACE);

    // enum nft_trace_attributes
    public const ushort NFTA_TRACE_TABLE = 1;
    public const ushort NFTA_TRACE_CHAIN = 2;
    public const ushort NFTA_TRACE_RULE_HANDLE = 3;
    public const ushort NFTA_TRACE_TYPE = 4;
    public const ushort NFTA_TRACE_VERDICT = 5;
    public const ushort NFTA_TRACE_ID = 6;
    public const ushort NFTA_TRACE_LL_HEADER = 7;
    public const ushort NFTA_TRACE_NETWORK_HEADER = 8;
    public const ushort NFTA_TRACE_TRANSPORT_HEADER = 9;
    public const ushort NFTA_TRACE_IIF = 10;
    public const ushort NFTA_TRACE_IIFTYPE = 11;
    public const ushort NFTA_TRACE_OIF = 12;
    public const ushort NFTA_TRACE_OIFTYPE = 13;
    public const ushort NFTA_TRACE_MARK = 14;
    public const ushort NFTA_TRACE_NFPROTO = 15;
    public const ushort NFTA_TRACE_POLICY = 16;

    // enum nft_verdict_attributes
    public const ushort NFTA_VERDICT_CODE = 1;
    public const ushort NFTA_VERDICT_CHAIN = 2;

    // include/uapi/linux/netfilter.h verdicts, and enum nft_verdicts
    public const int NF_DROP = 0, NF_ACCEPT = 1, NF_STOLEN = 2, NF_QUEUE = 3, NF_REPEAT = 4, NF_STOP = 5;
    public const int NF_VERDICT_MASK = 0x000000ff;
    public const int NFT_CONTINUE = -1, NFT_BREAK = -2, NFT_JUMP = -3, NFT_GOTO = -4, NFT_RETURN = -5;

    // enum cntl_msg_types (ctnetlink)
    public const byte IPCTNL_MSG_CT_NEW = 0;
    public const byte IPCTNL_MSG_CT_GET = 1;
    public const ushort CtNewMessage = (ushort)(NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW);
    public const ushort CtGetMessage = (ushort)(NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET);

    // enum ctattr_type
    public const ushort CTA_TUPLE_ORIG = 1;
    public const ushort CTA_TUPLE_REPLY = 2;
    public const ushort CTA_STATUS = 3;
    public const ushort CTA_PROTOINFO = 4;
    public const ushort CTA_TIMEOUT = 7;
    public const ushort CTA_MARK = 8;
    public const ushort CTA_COUNTERS_ORIG = 9;
    public const ushort CTA_COUNTERS_REPLY = 10;
    public const ushort CTA_ID = 12;

    // enum ctattr_tuple, ctattr_ip, ctattr_l4proto
    public const ushort CTA_TUPLE_IP = 1;
    public const ushort CTA_TUPLE_PROTO = 2;
    public const ushort CTA_IP_V4_SRC = 1;
    public const ushort CTA_IP_V4_DST = 2;
    public const ushort CTA_IP_V6_SRC = 3;
    public const ushort CTA_IP_V6_DST = 4;
    public const ushort CTA_PROTO_NUM = 1;
    public const ushort CTA_PROTO_SRC_PORT = 2;
    public const ushort CTA_PROTO_DST_PORT = 3;

    // enum ctattr_protoinfo, ctattr_protoinfo_tcp
    public const ushort CTA_PROTOINFO_TCP = 1;
    public const ushort CTA_PROTOINFO_TCP_STATE = 1;

    // enum ctattr_counters (present when net.netfilter.nf_conntrack_acct is on)
    public const ushort CTA_COUNTERS_PACKETS = 1;
    public const ushort CTA_COUNTERS_BYTES = 2;
}
