using Routerd.Core.Diagnostics;
using static Routerd.Platform.Netlink.NetfilterInterop;
using static Routerd.Platform.Netlink.NetlinkInterop;

namespace Routerd.Platform.Netlink;

/// <summary>The kernel's connection table over ctnetlink (what `conntrack -L` reads), in the
/// network namespace of the calling thread. One dump per call; nothing is kept.</summary>
public sealed class ConntrackDump : IConntrackReader
{
    /// <inheritdoc/>
    public IReadOnlyList<ConntrackEntry> Dump(Func<ConntrackEntry, bool> keep)
    {
        var kept = new List<ConntrackEntry>();
        Walk(e => { if (keep(e)) kept.Add(e); });
        return kept;
    }

    /// <inheritdoc/>
    /// <remarks>The table changes while it is walked (a busy router opens and closes connections
    /// all the time): an interrupted dump is still a fair picture of a moment and is not repeated.</remarks>
    public void Walk(Action<ConntrackEntry> visit)
    {
        using var socket = NetlinkSocket.Open(groups: 0, NETLINK_NETFILTER);
        socket.Dump(NetfilterRequests.DumpConntrack, (type, payload) =>
        {
            if (type == CtNewMessage && NetfilterDecoders.TryDecodeConntrack(payload, out var entry)) visit(entry);
        });
    }
}
