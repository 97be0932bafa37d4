using static Routerd.Platform.Netlink.NetfilterInterop;
using static Routerd.Platform.Netlink.NetlinkInterop;

namespace Routerd.Platform.Netlink;

/// <summary>The nfnetlink requests routerd sends besides the nf_tables table query (RtnlRequests).</summary>
internal static class NetfilterRequests
{
    /// <summary>Every conntrack entry of this namespace, IPv4 and IPv6 (family AF_UNSPEC: no filter).</summary>
    public static int DumpConntrack(Span<byte> buffer, uint seq)
    {
        var writer = new NetlinkRequestWriter(buffer, CtGetMessage, NLM_F_REQUEST | NLM_F_DUMP, seq);
        writer.Append(new nfgenmsg { nfgen_family = AF_UNSPEC, version = NFNETLINK_V0 });
        return writer.Finish();
    }
}
