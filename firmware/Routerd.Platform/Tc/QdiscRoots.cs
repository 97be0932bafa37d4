using Routerd.Platform.Netlink;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Wan;

namespace Routerd.Platform.Tc;

/// <summary>Which devices carry routerd's queues: a root with handle 1:, an HTB tree, a shaped
/// download's cake, or (a port without a shaper on a kernel without AQM) pfifo_fast. A kernel's
/// default pfifo_fast has handle 0:, so it never counts as ours.</summary>
public static class QdiscRoots
{
    const uint TreeHandle = 0x0001_0000;

    public static IReadOnlySet<string> DevicesWithTree(IEnumerable<LinkInfo> links, IEnumerable<QdiscInfo> qdiscs) =>
        DevicesWith(links, qdiscs, q => q.IsRoot && q.Handle == TreeHandle && q.Kind is "htb" or "cake" or "pfifo_fast");

    /// <summary>Which devices have a root qdisc that can be deleted: any but the kernel's default,
    /// whose handle is 0: (`tc qdisc del ... root` refuses it: "Cannot delete qdisc with handle of zero").</summary>
    public static IReadOnlySet<string> DevicesWithOwnRoot(IEnumerable<LinkInfo> links, IEnumerable<QdiscInfo> qdiscs) =>
        DevicesWith(links, qdiscs, q => q.IsRoot && q.Handle != 0);

    /// <summary>Which devices have a clsact qdisc (where a redirect's filter lives). A device that
    /// was re-created (hostapd restarted: the guest Wi-Fi's interface is made anew) has none.</summary>
    public static IReadOnlySet<string> DevicesWithClsact(IEnumerable<LinkInfo> links, IEnumerable<QdiscInfo> qdiscs) =>
        DevicesWith(links, qdiscs, q => q.Kind == "clsact");

    static IReadOnlySet<string> DevicesWith(IEnumerable<LinkInfo> links, IEnumerable<QdiscInfo> qdiscs, Func<QdiscInfo, bool> pick)
    {
        var with = qdiscs.Where(pick).Select(q => q.InterfaceIndex).ToHashSet();
        return links.Where(l => with.Contains(l.Index)).Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
    }
}
