namespace Routerd.Core.Wifi;

/// <summary>A rendered hostapd.conf. <see cref="RestartKey"/> is the file without the lines that
/// hostapd re-reads on SIGHUP (SSID, passphrase, hidden): when it is unchanged a reload is
/// enough, else hostapd restarts. Enabled false: the radio is switched off (hostapd stopped).</summary>
public sealed record HostapdConfig(string Interface, string ControlDirectory, bool Enabled, string Ssid, string Text, string RestartKey)
{
    public const string FileName = "hostapd.conf";
    /// <summary>The guest network's SSID when it is on: the status waits for it too.</summary>
    public string? GuestSsid { get; init; }
}
