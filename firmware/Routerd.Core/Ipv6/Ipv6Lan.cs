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
        if (GlobalLan(state, v6) is { } global) list.Add(global);
        return list;
    }

    /// <summary>The LAN's global /64 (router ::1): a static WAN's, else the delegated prefix's first.</summary>
    static Ipv6Prefix? GlobalLan(DesiredState state, Dhcp6Lease? v6) =>
        state.Ipv6.Static is { } fixedWan ? fixedWan.LanPrefix
        : v6?.LanPrefix is { } global && v6.Interface == Wan.WanInterfaces.Egress(state) ? global : null;

    /// <summary>The prefix the LAN's /64 was cut from (a static WAN's routed prefix or the delegated one).</summary>
    static Ipv6Prefix? Parent(DesiredState state, Dhcp6Lease? v6) =>
        state.Ipv6.Static is { } fixedWan ? fixedWan.RoutedPrefix
        : v6?.Prefix is { } p && v6.Interface == Wan.WanInterfaces.Egress(state) ? p : null;

    /// <summary>The guest Wi-Fi's /64 with the router as ::1: the next /64 of the same prefix after
    /// the LAN's (a different subnet id, so guests and LAN are told apart by address alone), global
    /// only: guests need the internet, not a ULA. Null when IPv6 or the guest network is off, when
    /// no prefix is held, or when the prefix is a single /64 (the LAN has it: guests get no IPv6,
    /// <see cref="GuestShortfall"/> says why).</summary>
    public static Ipv6Prefix? GuestAddress(DesiredState state, Dhcp6Lease? v6)
    {
        if (!state.Ipv6.Enabled || state.Wifi?.Guest is null || Parent(state, v6) is not { } parent || GlobalLan(state, v6) is not { } lan)
            return null;
        // The LAN's subnet id inside the parent; the guests' is the next one that fits.
        // A static WAN's link may be numbered out of the same prefix: its /64 is skipped, as the LAN's is.
        for (UInt128 id = ((lan.Network - parent.Network) >> 64) + 1; parent.Subnet(64, id) is { } guest; id++)
            if (state.Ipv6.Static is not { } fixedWan || !Ipv6StaticRules.Overlap(guest, fixedWan.Address)) return guest.Host(1);
        return null;
    }

    /// <summary>Why guests have no IPv6 although IPv6 is up and a prefix is held (null: they have it,
    /// or there is nothing to say).</summary>
    public static string? GuestShortfall(DesiredState state, Dhcp6Lease? v6) =>
        state.Ipv6.Enabled && state.Wifi?.Guest is not null && Parent(state, v6) is { } parent && GuestAddress(state, v6) is null
            ? $"the IPv6 prefix from your provider ({parent}) has room for the LAN only: guests on the guest Wi-Fi get no IPv6"
            : null;
}
