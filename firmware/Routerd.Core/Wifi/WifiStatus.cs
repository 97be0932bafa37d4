namespace Routerd.Core.Wifi;

/// <summary>The access point as GET /api/status shows it. Radio: this router has a radio at all.
/// Live: hostapd runs with the settings last applied. Message: hostapd's own words when it
/// failed (never a secret: hostapd does not print keys unless run with -d, which routerd never does).</summary>
public sealed record WifiStatus(string Code, bool Radio, bool Live, string? Message = null)
{
    public const string Up = "wifi/UP", Applying = "wifi/APPLYING", Failed = "wifi/FAILED", Off = "wifi/OFF", NoRadioCode = "wifi/NO_RADIO";

    public static readonly WifiStatus NoRadio = new(NoRadioCode, false, false);
}
