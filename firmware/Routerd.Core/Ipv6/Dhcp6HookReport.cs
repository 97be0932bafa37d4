namespace Routerd.Core.Ipv6;

/// <summary>What dhcpcd's hook reports (its environment, the first address and prefix of each
/// IA). Everything here came from the network: <see cref="Dhcp6LeaseParser"/> reads it strictly.
/// ReceivedAt is stamped by routerd when the report arrives.</summary>
public sealed record Dhcp6HookReport(string Reason, string Interface,
    string? Address = null, string? AddressValid = null,
    string? Prefix = null, string? PrefixLength = null, string? PrefixValid = null, string? PrefixPreferred = null,
    string? Dns = null, DateTimeOffset? ReceivedAt = null)
{
    /// <summary>The environment variables of dhcpcd 9 that carry each field (dhcpcd-run-hooks(8)).</summary>
    /// <remarks>When the ISP renumbers, one reply can carry the old prefix with valid lifetime 0
    /// (withdrawn) beside the new one: the prefix reported is the first that is still valid.</remarks>
    public static Dhcp6HookReport FromEnvironment(Func<string, string?> env)
    {
        int live = 1;
        for (int i = 1; i <= MaxPrefixes && env($"new_dhcp6_ia_pd1_prefix{i}") is not null; i++)
            if (env($"new_dhcp6_ia_pd1_prefix{i}_vltime") != "0") { live = i; break; }
        string pd = $"new_dhcp6_ia_pd1_prefix{live}";
        return new(env("reason") ?? "", env("interface") ?? "",
            env("new_dhcp6_ia_na1_ia_addr1"), env("new_dhcp6_ia_na1_ia_addr1_vltime"),
            env(pd), env(pd + "_length"), env(pd + "_vltime"), env(pd + "_pltime"),
            env("new_dhcp6_name_servers"));
    }

    /// <summary>How many prefixes of the one IA_PD are looked at.</summary>
    const int MaxPrefixes = 8;
}

/// <summary>What the WAN holds over DHCPv6: its own address (IA_NA, when the ISP gives one), the
/// delegated prefix (IA_PD, null when the ISP offers none) with its lifetimes, the ISP's DNS servers.</summary>
public sealed record Dhcp6Lease(string Interface, UInt128? Address, Ipv6Prefix? Prefix, DateTimeOffset? PrefixValidUntil,
    DateTimeOffset? PrefixPreferredUntil, IReadOnlyList<string> Dns)
{
    /// <summary>Records compare lists by reference: two leases with the same servers are the same lease.</summary>
    public bool Equals(Dhcp6Lease? other) => other is not null && Interface == other.Interface && Address == other.Address
        && Prefix == other.Prefix && PrefixValidUntil == other.PrefixValidUntil && PrefixPreferredUntil == other.PrefixPreferredUntil
        && Dns.SequenceEqual(other.Dns);
    public override int GetHashCode() => HashCode.Combine(Interface, Address, Prefix, PrefixValidUntil);

    /// <summary>The LAN's /64 from the delegated prefix (its first subnet) with the router's ::1 in it.</summary>
    public Ipv6Prefix? LanPrefix => Prefix?.Subnet(64, 0)?.Host(1);
}

public static class Dhcp6LeaseParser
{
    public const int MaxDnsServers = 3;
    /// <summary>RFC 8415's "infinity" (0xffffffff) and anything above a year are held as a year: a
    /// lease never outlives the router's next renewals by much.</summary>
    const uint MaxLifetime = 365 * 86400;

    /// <summary>The reasons that carry a lease (dhcpcd-run-hooks(8)).</summary>
    public static bool Binds(string reason) => reason is "BOUND6" or "RENEW6" or "REBIND6" or "REBOOT6" or "INFORM6";

    /// <returns>the lease for a binding reason; null for reasons that end it (EXPIRE6, RELEASE6, STOP6, STOPPED, NOCARRIER...).</returns>
    /// <exception cref="FormatException">a binding report with a malformed value.</exception>
    public static Dhcp6Lease? Parse(Dhcp6HookReport r, DateTimeOffset now)
    {
        if (!Binds(r.Reason)) return null;
        UInt128? address = null;
        if (r.Address is not null)
        {
            if (!Ipv6Prefix.TryParseAddress(r.Address, out var a)) throw new FormatException($"address '{r.Address}' is not an IPv6 address");
            address = a;
        }
        Ipv6Prefix? prefix = null;
        DateTimeOffset? valid = null, preferred = null;
        if (r.Prefix is not null)
        {
            if (!Ipv6Prefix.TryParseAddress(r.Prefix, out var p)) throw new FormatException($"prefix '{r.Prefix}' is not an IPv6 address");
            if (!int.TryParse(r.PrefixLength, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int len)
                || len is < Ipv6Rules.MinPrefix or > Ipv6Rules.MaxPrefix)
                throw new FormatException($"prefix length '{r.PrefixLength}' is not between /{Ipv6Rules.MinPrefix} and /{Ipv6Rules.MaxPrefix}");
            uint validFor = Lifetime(r.PrefixValid, "valid"), preferredFor = Lifetime(r.PrefixPreferred, "preferred");
            // Valid lifetime 0: the ISP withdraws the prefix (RFC 8415 section 18.3.4).
            if (validFor > 0)
            {
                prefix = new Ipv6Prefix(p, len).Subnet(len, 0);
                valid = now.AddSeconds(validFor);
                preferred = now.AddSeconds(preferredFor);
            }
        }
        var dns = (r.Dns ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(d => Ipv6Prefix.TryParseAddress(d, out _)).Distinct().Take(MaxDnsServers).ToList();
        return new Dhcp6Lease(r.Interface, address, prefix, valid, preferred, dns);
    }

    static uint Lifetime(string? text, string what) =>
        uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint s)
            ? Math.Min(s, MaxLifetime)
            : throw new FormatException($"{what} lifetime '{text}' is not a number of seconds");
}
