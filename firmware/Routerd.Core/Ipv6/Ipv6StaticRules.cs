using Routerd.Core.Settings;

namespace Routerd.Core.Ipv6;

/// <summary>A static IPv6 WAN as a business line's contract states it: the WAN's address on the
/// ISP's link, the ISP's router, the prefix the ISP routes to that address, its DNS servers.</summary>
public sealed record Ipv6StaticPlan(Ipv6Prefix Address, UInt128 Gateway, Ipv6Prefix RoutedPrefix, IReadOnlyList<string> Dns)
{
    /// <summary>The LAN's /64 with the router's ::1 in it: the routed prefix's first /64 that is not
    /// the WAN link's (some ISPs number the link out of the same /48), as from a delegated prefix.</summary>
    public Ipv6Prefix LanPrefix
    {
        get
        {
            for (UInt128 i = 0; ; i++)
            {
                var lan = RoutedPrefix.Subnet(64, i)!.Value;
                if (!Ipv6StaticRules.Overlap(lan, Address)) return lan.Host(1);
            }
        }
    }

    public bool Equals(Ipv6StaticPlan? other) => other is not null && Address == other.Address && Gateway == other.Gateway
        && RoutedPrefix == other.RoutedPrefix && Dns.SequenceEqual(other.Dns);
    public override int GetHashCode() => HashCode.Combine(Address, Gateway, RoutedPrefix);
}

/// <summary>Checks ipv6.static; every refusal names its field.</summary>
public static class Ipv6StaticRules
{
    /// <summary>A WAN link is a /64 almost everywhere; point-to-point links use up to /128. Shorter
    /// than /16 is no link at all.</summary>
    public const int MinWanPrefix = 16;

    public static bool Overlap(Ipv6Prefix a, Ipv6Prefix b) => a.Contains(b.Network) || b.Contains(a.Network);

    /// <summary>2000::/3, the global unicast space (RFC 4291 section 2.4).</summary>
    public static bool IsGlobalUnicast(UInt128 a) => a >> 125 == 1;
    /// <summary>fe80::/10.</summary>
    public static bool IsLinkLocal(UInt128 a) => a >> 118 == 0x3fa;
    static bool IsMulticast(UInt128 a) => a >> 120 == 0xff;

    /// <param name="ula">the LAN's unique local /48, which the routed prefix must not overlap.</param>
    public static Ipv6StaticPlan? Build(Ipv6StaticSettings? st, Ipv6Prefix? ula, List<FieldError> errors)
    {
        if (st is null)
        {
            errors.Add(new("ipv6.static", "static IPv6 needs an address, a gateway and the prefix your provider routes to you"));
            return null;
        }
        int before = errors.Count;
        Ipv6Prefix address = default;
        bool haveAddress = false;
        if (!Ipv6Prefix.TryParse(st.Address, out address))
            errors.Add(new("ipv6.static.address", $"'{st.Address}' is not an IPv6 address with its prefix length, e.g. 2001:db8:1::2/64"));
        else if (address.Length < MinWanPrefix)
            errors.Add(new("ipv6.static.address", $"the prefix length /{address.Length} is out of range: between /{MinWanPrefix} and /128 (most lines use /64)"));
        else if (!IsGlobalUnicast(address.Value))
            errors.Add(new("ipv6.static.address", $"{Ipv6Prefix.Format(address.Value)} is not a global address (2000::/3) as a provider assigns"));
        else if (address.Length < 127 && address.Value == address.Network)
            errors.Add(new("ipv6.static.address", $"{address} is the subnet itself, not an address in it"));
        else haveAddress = true;

        UInt128 gateway = 0;
        if (!Ipv6Prefix.TryParseAddress(st.Gateway, out gateway))
            errors.Add(new("ipv6.static.gateway", $"'{st.Gateway}' is not an IPv6 address"));
        else if (haveAddress && !IsLinkLocal(gateway) && (!IsGlobalUnicast(gateway) || !address.Contains(gateway) || gateway == address.Value))
            errors.Add(new("ipv6.static.gateway", address.Length == 128
                ? $"{Ipv6Prefix.Format(gateway)} cannot be reached from a /128 address: give the provider's link-local gateway (fe80::...)"
                : $"{Ipv6Prefix.Format(gateway)} is neither on the WAN's subnet {address.Subnet(address.Length, 0)} nor link-local (fe80::/10)"));

        if (!Ipv6Prefix.TryParse(st.RoutedPrefix, out var routed))
            errors.Add(new("ipv6.static.routedPrefix", $"'{st.RoutedPrefix}' is not an IPv6 prefix, e.g. 2001:db8:100::/48"));
        else if (routed.Length is < Ipv6Rules.MinPrefix or > Ipv6Rules.MaxPrefix)
            errors.Add(new("ipv6.static.routedPrefix", $"/{routed.Length} is out of range: the routed prefix must be between /{Ipv6Rules.MinPrefix} and /{Ipv6Rules.MaxPrefix}"));
        else if (routed.Value != routed.Network)
            errors.Add(new("ipv6.static.routedPrefix", $"{routed} has host bits set: the prefix is {routed.Subnet(routed.Length, 0)}"));
        else if (ula is { } u && Overlap(routed, u))
            errors.Add(new("ipv6.static.routedPrefix", $"{routed} overlaps the LAN's local prefix {u}"));
        else if (!IsGlobalUnicast(routed.Value))
            errors.Add(new("ipv6.static.routedPrefix", $"{routed} is not a global prefix (2000::/3) as a provider routes"));
        else if (haveAddress && routed.Length >= address.Length && address.Contains(routed.Network))
            errors.Add(new("ipv6.static.routedPrefix", $"{routed} lies inside the WAN's own subnet {address.Subnet(address.Length, 0)}: no /64 is left for the LAN"));

        var dns = new List<string>();
        var servers = st.Dns ?? [];
        if (servers.Count > Dhcp6LeaseParser.MaxDnsServers)
            errors.Add(new("ipv6.static.dns", $"at most {Dhcp6LeaseParser.MaxDnsServers} DNS servers"));
        for (int i = 0; i < servers.Count; i++)
        {
            if (!Ipv6Prefix.TryParseAddress(servers[i], out var d))
                errors.Add(new($"ipv6.static.dns[{i}]", $"'{servers[i]}' is not an IPv6 address"));
            else if (d <= 1 || IsMulticast(d) || IsLinkLocal(d))
                errors.Add(new($"ipv6.static.dns[{i}]", $"{servers[i]} is not a unicast address a DNS server can be reached at (not ::, ::1, multicast or link-local)"));
            else dns.Add(Ipv6Prefix.Format(d));
        }
        return errors.Count == before ? new Ipv6StaticPlan(address, gateway, routed, dns) : null;
    }
}
