using System.Net;
using Routerd.Core.Net;

namespace Routerd.Core.Firewall;

/// <summary>The elements of the VIP sets: the MACs from the settings, and the addresses those
/// devices hold right now (observed from DHCP leases and the neighbour table).</summary>
public sealed record VipSets(IReadOnlyList<MacAddress> Macs, IReadOnlyList<IPAddress> V4, IReadOnlyList<IPAddress> V6)
{
    public static readonly VipSets Empty = new([], [], []);

    public static VipSets From(IReadOnlyList<MacAddress> macs, IEnumerable<IPAddress> addresses)
    {
        var all = addresses.Distinct().ToList();
        return new VipSets(
            macs,
            all.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList(),
            all.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList());
    }

    static readonly string[] SetNames = ["vip_macs", "vip_v4", "vip_v6"];

    /// <summary>The sets' whole content as one nft script: flush, then add. Loaded in the same
    /// transaction as the table after a full load, or alone when only the devices changed:
    /// toggling a device's priority never reloads the ruleset, and nft applies the script
    /// atomically, so no packet sees a half-filled set.</summary>
    public string ToNft()
    {
        var b = new System.Text.StringBuilder();
        IEnumerable<string>[] elements = [Macs.Select(m => m.ToString()), V4.Select(a => a.ToString()), V6.Select(a => a.ToString())];
        for (int i = 0; i < SetNames.Length; i++)
        {
            b.Append($"flush set inet {NftRenderer.TableName} {SetNames[i]}\n");
            var list = elements[i].ToList();
            if (list.Count > 0) b.Append($"add element inet {NftRenderer.TableName} {SetNames[i]} {{ {string.Join(", ", list)} }}\n");
        }
        return b.ToString();
    }
}
