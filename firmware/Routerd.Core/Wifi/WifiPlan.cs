namespace Routerd.Core.Wifi;

/// <summary>The access point as desired: validated settings plus the board's radio. Device is
/// null when this router has no radio; the renderer then makes no hostapd.conf and the status
/// says wifi/NO_RADIO.</summary>
public sealed record WifiPlan(
    string? Device,
    bool Enabled,
    string Ssid,
    WifiSecurity Security,
    string Passphrase,
    string Country,
    WifiBand Band,
    int Channel,
    bool Hidden)
{
    /// <summary>The guest network on the same radio; null: off (or no radio).</summary>
    public GuestPlan? Guest { get; init; }
}

public enum WifiSecurity { Wpa2, Wpa3, Wpa2Wpa3 }

public enum WifiBand { Ghz24, Ghz5 }
