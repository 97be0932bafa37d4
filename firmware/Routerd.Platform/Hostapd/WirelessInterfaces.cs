namespace Routerd.Platform.Hostapd;

/// <summary>Finds the router's radio: a network interface with a "phy80211" link in sysfs is
/// driven by cfg80211 (brcmfmac on the Raspberry Pi, iwlwifi, ath9k, mac80211_hwsim in the lab).</summary>
public static class WirelessInterfaces
{
    /// <summary>The board's named device when it exists and is wireless; with no name (or
    /// "auto"), the first wireless interface by name; null: this router has no radio.</summary>
    public static string? Resolve(string? boardDevice, string sysClassNet = "/sys/class/net")
    {
        if (boardDevice is not (null or "auto"))
            return IsWireless(sysClassNet, boardDevice) ? boardDevice : null;
        if (!Directory.Exists(sysClassNet)) return null;
        return Directory.GetDirectories(sysClassNet).Select(Path.GetFileName).OfType<string>()
            .Where(n => IsWireless(sysClassNet, n)).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    static bool IsWireless(string sysClassNet, string name) =>
        Path.Exists(Path.Combine(sysClassNet, name, "phy80211"));
}
