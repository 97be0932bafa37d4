using System.Net;
using Routerd.Core.Net;

namespace Routerd.Core.Firewall;

/// <summary>Three sets of <c>table inet routerd</c> that name devices: their MACs (what they
/// send) and the IPv4 and IPv6 addresses they hold right now (what is sent to them, observed
/// from DHCP leases and the neighbour table). The VIP lane (<c>vip_*</c>) and paused devices
/// (<c>pause_*</c>) are such sets; their elements change without a ruleset reload.</summary>
public sealed record DeviceSets(string Prefix, IReadOnlyList<MacAddress> Macs, IReadOnlyList<IPAddress> V4, IReadOnlyList<IPAddress> V6)
{
    public static DeviceSets From(string prefix, IReadOnlyList<MacAddress> macs, IEnumerable<IPAddress> addresses)
    {
        var all = addresses.Distinct().ToList();
        return new DeviceSets(
            prefix,
            macs,
            all.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList(),
            all.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList());
    }

    /// <summary>The sets' whole content as one nft script: flush, then add. Loaded in the same
    /// transaction as the table after a full load, or alone when only the devices changed:
    /// toggling a device's priority or pause never reloads the ruleset, and nft applies the
    /// script atomically, so no packet sees a half-filled set.</summary>
    public string ToNft()
    {
        var b = new System.Text.StringBuilder();
        (string Set, IEnumerable<string> Elements)[] sets =
            [($"{Prefix}_macs", Macs.Select(m => m.ToString())), ($"{Prefix}_v4", V4.Select(a => a.ToString())), ($"{Prefix}_v6", V6.Select(a => a.ToString()))];
        foreach (var (set, elements) in sets)
        {
            b.Append($"flush set inet {NftRenderer.TableName} {set}\n");
            var list = elements.ToList();
            if (list.Count > 0) b.Append($"add element inet {NftRenderer.TableName} {set} {{ {string.Join(", ", list)} }}\n");
        }
        return b.ToString();
    }
}

/// <summary>The VIP lane's sets: devices whose traffic jumps every queue.</summary>
public static class VipSets
{
    public static DeviceSets From(IReadOnlyList<MacAddress> macs, IEnumerable<IPAddress> addresses) => DeviceSets.From("vip", macs, addresses);
}

/// <summary>The paused devices' sets: nothing they send reaches the internet, nothing from the
/// internet reaches them (Pause/PauseRules.cs decides who is paused).</summary>
public static class PauseSets
{
    public static DeviceSets From(IReadOnlyList<MacAddress> macs, IEnumerable<IPAddress> addresses) => DeviceSets.From("pause", macs, addresses);
}
