namespace Routerd.Core.Wifi;

/// <summary>The OS edge for the access point (hostapd in Routerd.Platform/Hostapd, a fake in
/// the tests). Apply returns at once: hostapd comes up in the background, and what the adapter
/// sees then (STATUS answers, a socket gone, error lines, stations) reaches the loop as events;
/// the status decisions are the Wifi slice's (<see cref="WifiState"/>).</summary>
public interface IWifiAccessPoint
{
    /// <summary>Writes the configuration and reloads or restarts hostapd as the change needs;
    /// null (no radio) or a disabled plan stops it.</summary>
    /// <returns>What it did, for the loop's <see cref="WifiState"/>; null when the settings were
    /// what hostapd had already and nothing was done.</returns>
    WifiApplied? Apply(HostapdConfig? config);

    /// <summary>Deauthenticates every station of the main network (not the guests'), so each
    /// reconnects and asks for its address again (Lan/LanReconnect.cs); returns at once, and does
    /// nothing while the access point is off.</summary>
    void DisconnectStations();
}
