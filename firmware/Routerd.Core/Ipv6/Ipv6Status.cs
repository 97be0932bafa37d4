namespace Routerd.Core.Ipv6;

/// <summary>IPv6 as GET /api/status shows it. Code is structured (ipv6/UP, ipv6/NO_PREFIX...) and
/// Message says it in plain words when something is missing. PrefixLifetimeSeconds is what is left
/// of the delegated prefix's valid lifetime when the status is read.</summary>
public sealed record Ipv6Status(string Code, string? Message, string? WanAddress, string? DelegatedPrefix,
    DateTimeOffset? PrefixValidUntil, IReadOnlyList<string> LanPrefixes, IReadOnlyList<string> Dns, long? PrefixLifetimeSeconds = null)
{
    /// <summary>"automatic" or "static" (Settings.Ipv6Modes).</summary>
    public string Mode { get; init; } = Settings.Ipv6Modes.Automatic;
    /// <summary>A static WAN's gateway as the owner typed it (an automatic one's comes from router advertisements).</summary>
    public string? Gateway { get; init; }
    /// <summary>The guest Wi-Fi's /64 (null: guests have no IPv6; GuestMessage says why when a prefix is held).</summary>
    public string? GuestPrefix { get; init; }
    public string? GuestMessage { get; init; }

    public Ipv6Status At(DateTimeOffset now) => PrefixValidUntil is { } until
        ? this with { PrefixLifetimeSeconds = Math.Max(0, (long)(until - now).TotalSeconds) }
        : this;
}

public static class Ipv6Codes
{
    public const string Up = "ipv6/UP", Off = "ipv6/OFF", Connecting = "ipv6/CONNECTING", NoPrefix = "ipv6/NO_PREFIX",
        NoServer = "ipv6/NO_SERVER", PrefixLost = "ipv6/PREFIX_LOST", WanDown = "ipv6/WAN_DOWN";

    /// <summary>Decides the status from the plan, the current lease, the last reason dhcpcd gave and
    /// whether a prefix was held before (so its loss is told apart from never having had one).</summary>
    /// <param name="kernel">the global IPv6 addresses the kernel reports, per interface (null: not known).</param>
    public static Ipv6Status Decide(Settings.DesiredState state, Dhcp6Lease? lease, string? lastReason, bool hadPrefix,
        IReadOnlyCollection<Net.InterfaceAddress6>? kernel = null, bool egressExists = true) =>
        DecideLan(state, lease, lastReason, hadPrefix, kernel, egressExists) with
        {
            GuestPrefix = Ipv6Lan.GuestAddress(state, lease) is { } g ? (g.Subnet(g.Length, 0) ?? g).ToString() : null,
            GuestMessage = Ipv6Lan.GuestShortfall(state, lease),
        };

    static Ipv6Status DecideLan(Settings.DesiredState state, Dhcp6Lease? lease, string? lastReason, bool hadPrefix,
        IReadOnlyCollection<Net.InterfaceAddress6>? kernel, bool egressExists)
    {
        var lan = Ipv6Lan.Addresses(state, lease).Select(p => (p.Subnet(p.Length, 0) ?? p).ToString()).ToList();
        if (!state.Ipv6.Enabled) return new(Off, null, null, null, null, [], []);
        if (state.Ipv6.Static is { } fixedWan) return Static(fixedWan, lan, egressExists);
        string? wanAddress = WanAddress(state, lease, kernel);
        var dns = lease?.Dns ?? [];
        if (lease?.Prefix is { } p)
            return new(Up, null, wanAddress, p.ToString(), lease.PrefixValidUntil, lan, dns);
        if (lease is not null)
            return new(NoPrefix, "your provider offers no IPv6 prefix: devices on the LAN get only local IPv6 addresses", wanAddress, null, null, lan, dns);
        if (hadPrefix)
            return new(PrefixLost, "the IPv6 prefix from your provider has expired or was withdrawn; waiting for a new one", wanAddress, null, null, lan, []);
        if (lastReason == "TIMEOUT6")
            return new(NoServer, "your provider's network does not answer IPv6 address requests (DHCPv6)", wanAddress, null, null, lan, []);
        return new(Connecting, null, wanAddress, null, null, lan, []);
    }

    /// <summary>A static WAN is up as soon as its interface is: the address, route and prefix are
    /// the owner's values, which routerd put in place. Over PPPoE that is while a session is up.</summary>
    static Ipv6Status Static(Ipv6StaticPlan fixedWan, List<string> lan, bool egressExists)
    {
        string address = Ipv6Prefix.Format(fixedWan.Address.Value), gateway = Ipv6Prefix.Format(fixedWan.Gateway);
        return egressExists
            ? new(Up, null, address, fixedWan.RoutedPrefix.ToString(), null, lan, fixedWan.Dns) { Mode = Settings.Ipv6Modes.Static, Gateway = gateway }
            : new(WanDown, "the internet connection is down (no PPPoE session): your fixed IPv6 address is put on it when the session is up",
                null, fixedWan.RoutedPrefix.ToString(), null, lan, fixedWan.Dns) { Mode = Settings.Ipv6Modes.Static, Gateway = gateway };
    }

    /// <summary>The WAN's own global address: the one DHCPv6 gave (IA_NA) when there is one, else
    /// what the egress interface holds from the ISP's router advertisements (SLAAC; the usual case
    /// over PPPoE, and any line whose ISP gives no IA_NA). Unique local addresses are not the
    /// internet's; of several, the lowest is shown, so the status does not flicker between them.</summary>
    public static string? WanAddress(Settings.DesiredState state, Dhcp6Lease? lease, IReadOnlyCollection<Net.InterfaceAddress6>? kernel)
    {
        if (lease?.Address is { } a) return Ipv6Prefix.Format(a);
        string egress = Wan.WanInterfaces.Egress(state);
        var slaac = kernel?.Where(k => k.Device == egress && (k.Address.Value >> 121) != 0x7e).Select(k => k.Address.Value).Order().ToList();
        return slaac is [var first, ..] ? Ipv6Prefix.Format(first) : null;
    }
}
