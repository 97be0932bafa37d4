using Routerd.Core.Net;
using Routerd.Core.Loop;

namespace Routerd.Core.Wan;

/// <summary>Turns what the DHCP client hook reported into a lease. Every value came from the
/// ISP's DHCP server, so it is parsed strictly: an address that is not a dotted quad never
/// reaches a config file.</summary>
public static class WanLeaseParser
{
    public const int MaxDnsServers = 3;

    /// <returns>the lease for bound/renew; null for events that mean "no lease" (deconfig, leasefail, nak).</returns>
    public static WanLease? Parse(DhcpHookReport r)
    {
        if (r.Event is not ("bound" or "renew")) return null;
        if (!Ipv4Network.TryParseAddress(r.Ip, out uint ip)) throw new FormatException($"ip '{r.Ip}' is not an IPv4 address");
        if (!Ipv4Network.TryParseAddress(r.Subnet, out uint mask) || !IsContiguous(mask))
            throw new FormatException($"subnet '{r.Subnet}' is not a netmask");
        int prefix = System.Numerics.BitOperations.PopCount(mask);
        uint? gateway = null;
        foreach (var g in Words(r.Router))
            if (Ipv4Network.TryParseAddress(g, out uint gw)) { gateway = gw; break; }
        var dns = Words(r.Dns).Where(d => Ipv4Network.TryParseAddress(d, out _)).Distinct().Take(MaxDnsServers).ToList();
        return new WanLease(r.Interface, new Ipv4Network(ip, prefix), gateway, dns);
    }

    static bool IsContiguous(uint mask) => mask != 0 && (~mask & (~mask + 1)) == 0;

    static string[] Words(string? s) => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
