using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Wifi;

/// <summary>Validates the guest network's settings (every refusal names its field under
/// wifi.guest) and builds its plan. The name and key reach hostapd.conf like the main network's and
/// pass the same checks; the subnet must stay clear of the LAN and a static WAN, or guests could
/// reach (or shadow) them by address.</summary>
public static class GuestRules
{
    public const string Prefix = "wifi.guest";

    public static GuestPlan? Build(GuestWifiSettings g, WifiSettings main, WifiSecurity? security, Board board, LanPlan? lan, WanPlan? wan, List<FieldError> errors)
    {
        int before = errors.Count;
        WifiRules.CheckSsid($"{Prefix}.ssid", g.Ssid, errors);
        if (errors.Count == before && g.Ssid == main.Ssid)
            errors.Add(new($"{Prefix}.ssid", "must differ from the main network's name, or phones could not tell the two apart"));
        WifiRules.CheckPassphrase($"{Prefix}.passphrase", g.Passphrase, security, required: g.Enabled, errors);
        if (errors.Count == before && g.Passphrase is not null && g.Passphrase == main.Passphrase)
            errors.Add(new($"{Prefix}.passphrase", "must differ from the main network's password: guests would know the key to your own network"));

        // Off, the subnet is only kept for later: it may not overlap anything then (the LAN may even
        // move onto it), so only its form is checked; switching the guest network on checks the rest.
        var address = CheckAddress(g.Address, g.Enabled ? lan : null, g.Enabled ? wan : null, errors);
        // A board file read without the defaults merged in (tests) has none: the default name then.
        string device = board.GuestWifiInterface ?? Board.DefaultGuestWifiInterface;
        if (g.Enabled && (!TextRules.IsInterfaceName(device) || device == board.WifiDevice || device == board.LanBridge))
            errors.Add(new("board.guestWifiInterface", $"'{TextRules.Printable(device)}' is not a valid interface name of its own"));

        if (errors.Count != before || !g.Enabled || board.WifiDevice is null) return null;
        return new GuestPlan(device, g.Ssid, g.Passphrase!, address!.Value, Pool(address.Value));
    }

    /// <summary>The router's address on the guest network: a host address in a subnet of /16 to
    /// /29 that overlaps neither the LAN's nor a static WAN's (when they are given).</summary>
    static Ipv4Network? CheckAddress(string text, LanPlan? lan, WanPlan? wan, List<FieldError> errors)
    {
        const string field = $"{Prefix}.address";
        if (!Ipv4Network.TryParse(text, out var address))
            errors.Add(new(field, $"'{TextRules.Printable(text ?? "")}' is not an IPv4 address with prefix, e.g. 192.168.2.1/24"));
        else if (address.PrefixLength is < 16 or > 29)
            errors.Add(new(field, "the prefix must be between /16 and /29"));
        else if (!address.IsHostAddress(address.Address))
            errors.Add(new(field, $"{Ipv4Network.Format(address.Address)} is the network or broadcast address of its subnet"));
        else if (lan is not null && address.Overlaps(lan.Address))
            errors.Add(new(field, $"{address.Network}/{address.PrefixLength} overlaps the LAN ({lan.Address.Network}/{lan.Address.PrefixLength}): choose another subnet{Suggestion(lan.Address)}"));
        else if (wan?.Plan<Routerd.Core.Wan.StaticPlan>() is { } st && address.Overlaps(st.Address))
            errors.Add(new(field, $"{address.Network}/{address.PrefixLength} overlaps the internet connection's subnet ({st.Address.Network}/{st.Address.PrefixLength})"));
        else return address;
        return null;
    }

    /// <summary>The /24 after the LAN's first one, for the message, when it is clear of the LAN.</summary>
    static string Suggestion(Ipv4Network lan)
    {
        var next = new Ipv4Network((lan.NetworkAddress & 0xFFFF0000) | ((((lan.NetworkAddress >> 8) + 1) & 0xFF) << 8) | 1, 24);
        return next.Overlaps(lan) ? "" : $", e.g. {next}";
    }

    /// <summary>An owner's guest subnet that holds the address the WAN has right now (a modem on
    /// 192.168.2.x) is refused: the router would route the modem's subnet to the guests. Only a changed
    /// address is checked, so an unrelated change is never refused over it.</summary>
    public static FieldError? RefuseWanOverlap(GuestWifiSettings next, GuestWifiSettings current, Ipv4Network? wan) =>
        wan is { } w && next.Enabled && (next.Address != current.Address || !current.Enabled) && Ipv4Network.TryParse(next.Address, out var a) && a.Overlaps(w)
            ? new($"{Prefix}.address", $"{a.Network}/{a.PrefixLength} holds the internet connection's address {w.Ip} right now ({w.Network}/{w.PrefixLength}): choose another subnet")
            : null;

    /// <summary>The guests' pool: every host address of the subnet on the larger side of the router's own.</summary>
    static DhcpPool Pool(Ipv4Network a)
    {
        uint first = a.NetworkAddress + 1, last = a.BroadcastAddress - 1;
        return a.Address - first >= last - a.Address
            ? new DhcpPool(first, a.Address - 1, GuestPlan.LeaseSeconds)
            : new DhcpPool(a.Address + 1, last, GuestPlan.LeaseSeconds);
    }
}
