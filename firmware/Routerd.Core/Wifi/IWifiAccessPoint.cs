namespace Routerd.Core.Wifi;

/// <summary>The OS edge for the access point (hostapd in Routerd.Platform/Hostapd, a fake in
/// the tests). Apply returns at once: hostapd comes up in the background and
/// <see cref="Status"/> says when the new settings are live.</summary>
public interface IWifiAccessPoint
{
    /// <summary>Writes the configuration and reloads or restarts hostapd as the change needs;
    /// null (no radio) or a disabled plan stops it.</summary>
    void Apply(HostapdConfig? config);
    WifiStatus Status { get; }
}
