using Routerd.Core.Firewall;
using Routerd.Core.Qos;

namespace Routerd.Core.Wan;

/// <summary>tc filters that put PPPoE's control traffic into the VIP lane's class on the
/// Ethernet port: all discovery frames (PADI/PADO/PADR/PADS/PADT, ethertype 0x8863) and, of the
/// session frames (0x8864), those carrying LCP (PPP protocol 0xc021 right after the 6-byte PPPoE
/// header), which is what keeps the echo replies from drowning behind a full upload.</summary>
public static class PppoeControlFilters
{
    public static string Render(string device) => $"""
        filter add dev {device} parent 1: protocol 0x8863 prio 1 u32 match u32 0 0 flowid {NftRenderer.VipClass}
        filter add dev {device} parent 1: protocol 0x8864 prio 2 u32 match u16 0xc021 0xffff at 6 flowid {NftRenderer.VipClass}

        """;
}
