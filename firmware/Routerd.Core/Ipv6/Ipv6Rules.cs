using Routerd.Core.Settings;

namespace Routerd.Core.Ipv6;

/// <summary>IPv6 as the renderers see it. <see cref="Ula"/>: the LAN's unique local /48 (null until made).
/// <see cref="Static"/>: the fixed WAN of a business line; null: automatic (dhcpcd).</summary>
public sealed record Ipv6Plan(bool Enabled, int PrefixHint, Ipv6Prefix? Ula, Ipv6StaticPlan? Static = null)
{
    /// <summary>IPv6 on with the static WAN: no DHCPv6 client runs, routerd puts everything in place.</summary>
    public Ipv6StaticPlan? ActiveStatic => Enabled ? Static : null;

    public static readonly Ipv6Plan Off = new(false, 56, null);

    /// <summary>The ULA /64 on the LAN (the /48's first subnet) and the router's address in it (::1).</summary>
    public Ipv6Prefix? LanUla => Ula?.Subnet(64, 0)?.Host(1);
}

/// <summary>Checks the IPv6 settings: the prefix-size hint and the stored ULA.</summary>
public static class Ipv6Rules
{
    /// <summary>What a home router can use: a /48 (the most an ISP gives) to a /64 (a single LAN).</summary>
    public const int MinPrefix = 48, MaxPrefix = 64;

    public static Ipv6Plan? Build(Ipv6Settings s, List<FieldError> errors)
    {
        int before = errors.Count;
        if (s.PrefixHint is < MinPrefix or > MaxPrefix)
            errors.Add(new("ipv6.prefixHint", $"must be between {MinPrefix} and {MaxPrefix} (the prefix length asked of the provider, e.g. 56)"));
        Ipv6Prefix? ula = null;
        if (s.Ula is { } text)
        {
            if (!Ipv6Prefix.TryParse(text, out var p) || p.Length != 48 || !p.IsUniqueLocal || p.Network != p.Value)
                errors.Add(new("ipv6.ula", $"'{text}' is not a unique local /48 (fdXX:XXXX:XXXX::/48)"));
            else ula = p;
        }
        Ipv6StaticPlan? fixedWan = null;
        if (s.Mode == Ipv6Modes.Static) fixedWan = Ipv6StaticRules.Build(s.Static, ula, errors);
        else if (s.Mode != Ipv6Modes.Automatic)
            errors.Add(new("ipv6.mode", $"'{s.Mode}' is not a mode: {Ipv6Modes.Automatic} (from the provider) or {Ipv6Modes.Static} (typed in)"));
        return errors.Count == before ? new Ipv6Plan(s.Enabled, s.PrefixHint, ula, fixedWan) : null;
    }

    /// <summary>Settings without a ULA get one (at first boot, or stored before IPv6 existed); one
    /// that has it keeps it. Incoming settings that leave it out keep the stored one.</summary>
    public static RouterSettings WithUla(RouterSettings s, RouterSettings? stored = null) =>
        (s.Ipv6 ?? new()).Ula is not null ? s
        : s with { Ipv6 = (s.Ipv6 ?? new()) with { Ula = stored?.Ipv6?.Ula ?? Ipv6Prefix.NewUniqueLocal().ToString() } };
}
