using Routerd.Platform.Netlink;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Wan;

namespace Routerd.Platform.Tc;

/// <summary>Which devices carry routerd's queues: a root with handle 1:, an HTB tree or (a port
/// without a shaper on a kernel without AQM) pfifo_fast. A kernel's default pfifo_fast has
/// handle 0:, so it never counts as ours.</summary>
public static class QdiscRoots
{
    const uint TreeHandle = 0x0001_0000;

    public static IReadOnlySet<string> DevicesWithTree(IEnumerable<LinkInfo> links, IEnumerable<QdiscInfo> qdiscs)
    {
        var withTree = qdiscs.Where(q => q.IsRoot && q.Handle == TreeHandle && q.Kind is "htb" or "pfifo_fast").Select(q => q.InterfaceIndex).ToHashSet();
        return links.Where(l => withTree.Contains(l.Index)).Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Which devices have a clsact qdisc (where a redirect's filter lives). A device that
    /// was re-created (hostapd restarted: the guest Wi-Fi's interface is made anew) has none.</summary>
    public static IReadOnlySet<string> DevicesWithClsact(IEnumerable<LinkInfo> links, IEnumerable<QdiscInfo> qdiscs)
    {
        var with = qdiscs.Where(q => q.Kind == "clsact").Select(q => q.InterfaceIndex).ToHashSet();
        return links.Where(l => with.Contains(l.Index)).Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
    }
}
