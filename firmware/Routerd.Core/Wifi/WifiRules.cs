using System.Text;
using Routerd.Core.Settings;

namespace Routerd.Core.Wifi;

/// <summary>Validates the Wi-Fi settings and builds the plan. Every value here ends up in
/// hostapd.conf, a line-based file: a control character (a newline above all) in any field is
/// refused with the field's name, never escaped, so no value can start a config line of its own.</summary>
public static class WifiRules
{
    public const string Wpa2 = "wpa2", Wpa3 = "wpa3", Transition = "wpa2-wpa3";
    public const string Band24 = "2.4", Band5 = "5";

    public static WifiPlan? Build(WifiSettings w, Board board, List<FieldError> errors) => Build(w, board, null, null, errors);

    /// <summary>With the LAN and WAN plans (null: refused or not known), which the guest network's subnet must stay clear of.</summary>
    public static WifiPlan? Build(WifiSettings w, Board board, LanPlan? lan, WanPlan? wan, List<FieldError> errors)
    {
        int before = errors.Count;

        CheckSsid("wifi.ssid", w.Ssid, errors);

        var security = w.Security switch
        {
            Wpa2 => WifiSecurity.Wpa2,
            Wpa3 => WifiSecurity.Wpa3,
            Transition => WifiSecurity.Wpa2Wpa3,
            _ => (WifiSecurity?)null,
        };
        if (security is null)
            errors.Add(new("wifi.security", $"must be one of {Wpa2}, {Wpa3}, {Transition}"));

        // A key is required wherever it could matter: a router with a radio never broadcasts an
        // open network. (Documents for radio-less boards and tests need not carry one.)
        CheckPassphrase("wifi.passphrase", w.Passphrase, security, required: board.WifiDevice is not null, errors);

        if (w.Country.Length != 2 || !w.Country.All(char.IsAsciiLetterUpper))
            errors.Add(new("wifi.country", "must be a two-letter ISO 3166 code in capitals, e.g. DE"));

        var band = w.Band switch { Band24 => WifiBand.Ghz24, Band5 => WifiBand.Ghz5, _ => (WifiBand?)null };
        if (band is null)
            errors.Add(new("wifi.band", $"must be {Band24} or {Band5} (GHz)"));
        else if (w.Channel is { } ch && !WifiChannels.Of(band.Value).Contains(ch))
            errors.Add(new("wifi.channel", $"{ch} is not a {w.Band} GHz channel routerd offers ({string.Join(", ", WifiChannels.Of(band.Value))}); leave it empty for automatic"));

        if (board.WifiDevice is { } dev && !TextRules.IsInterfaceName(dev))
            errors.Add(new("board.wifiDevice", $"'{dev}' is not a valid interface name"));

        var guest = GuestRules.Build(w.Guest ?? new(), w, security, board, lan, wan, errors);

        if (errors.Count != before) return null;
        return new WifiPlan(board.WifiDevice, w.Enabled, w.Ssid, security!.Value, w.Passphrase ?? "", w.Country,
            band!.Value, w.Channel ?? WifiChannels.Default(band.Value), w.Hidden) { Guest = guest };
    }

    /// <summary>A network name: 1-32 bytes of UTF-8 with no control character (hostapd.conf takes it as hex, but the QR code and logs as text).</summary>
    internal static void CheckSsid(string field, string? ssid, List<FieldError> errors)
    {
        if (ssid is null)
            errors.Add(new(field, "is required"));
        else if (TextRules.HasControlCharacter(ssid))
            errors.Add(new(field, "must not contain control characters such as a newline"));
        else if (Encoding.UTF8.GetByteCount(ssid) is var bytes and (< 1 or > 32))
            errors.Add(new(field, $"must be 1-32 bytes of UTF-8 (this one has {bytes})"));
    }

    /// <summary>WPA's two forms of the key: a passphrase of 8-63 printable ASCII characters
    /// (IEEE 802.11 Annex J), or the PSK itself as 64 hex digits. SAE (WPA3) works on the
    /// passphrase and cannot use a raw PSK.</summary>
    internal static void CheckPassphrase(string field, string? p, WifiSecurity? security, bool required, List<FieldError> errors)
    {
        if (p is null)
        {
            if (required) errors.Add(new(field, "is required: routerd never runs an open network"));
        }
        else if (TextRules.HasControlCharacter(p))
            errors.Add(new(field, "must not contain control characters such as a newline"));
        else if (IsHexPsk(p))
        {
            if (security is WifiSecurity.Wpa3 or WifiSecurity.Wpa2Wpa3)
                errors.Add(new(field, "WPA3 (SAE) needs a passphrase of 8-63 characters, not a 64-hex-digit key"));
        }
        else if (p.Length is < 8 or > 63 || !p.All(c => c is >= ' ' and <= '~'))
            errors.Add(new(field, "must be 8-63 printable ASCII characters or 64 hex digits"));
    }

    public static bool IsHexPsk(string p) => p.Length == 64 && p.All(char.IsAsciiHexDigit);
}
