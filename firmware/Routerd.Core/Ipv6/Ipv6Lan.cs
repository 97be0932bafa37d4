using Routerd.Core.Settings;

namespace Routerd.Core.Ipv6;

/// <summary>The LAN's IPv6 prefixes: the stable ULA /64 and, while the ISP delegates one, the
/// first /64 of its prefix, each with the router as ::1. dnsmasq advertises whatever /64s the
/// bridge holds (constructor:), so a prefix taken off the bridge is advertised with lifetime 0
/// and the LAN renumbers by itself. A static WAN's routed prefix is the owner's for good: its /64
/// stays on the LAN while a PPP session is down, so devices keep their addresses over a reconnect.</summary>
public static class Ipv6Lan
{
    public static IReadOnlyList<Ipv6Prefix> Addresses(DesiredState state, Dhcp6Lease? v6)
    {
        if (!state.Ipv6.Enabled) return [];
        var list = new List<Ipv6Prefix>();
        if (state.Ipv6.LanUla is { } ula) list.Add(ula);
        if (state.Ipv6.Static is { } fixedWan) list.Add(fixedWan.LanPrefix);
        else if (v6?.LanPrefix is { } global && v6.Interface == Wan.WanInterfaces.Egress(state)) list.Add(global);
        return list;
    }
}
