using Routerd.Core.Network;
using Routerd.Platform.Netlink;

namespace Routerd.Platform.Tc;

/// <summary>Which devices carry routerd's tree: an HTB root with handle 1:.</summary>
public static class QdiscRoots
{
    const uint TreeHandle = 0x0001_0000;

    public static IReadOnlySet<string> DevicesWithTree(IEnumerable<LinkInfo> links, IEnumerable<QdiscInfo> qdiscs)
    {
        var withTree = qdiscs.Where(q => q.IsRoot && q.Handle == TreeHandle && q.Kind == "htb").Select(q => q.InterfaceIndex).ToHashSet();
        return links.Where(l => withTree.Contains(l.Index)).Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
    }
}
