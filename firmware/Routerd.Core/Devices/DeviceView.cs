namespace Routerd.Core.Devices;

/// <summary>A device as the API and the CLI show it: what the router observed, merged with what
/// the user said about it (a name, the VIP lane).</summary>
public sealed record DeviceView(
    string Mac,
    string? Hostname,
    IReadOnlyList<string> Addresses,
    bool Online,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    string? Name = null,
    bool Priority = false,
    DateTimeOffset? PriorityUntil = null,
    DeviceTraffic? Traffic = null,
    /// <summary>"wired" or "wifi" (a station of the router's access point).</summary>
    string Connection = DeviceView.Wired,
    /// <summary>The Wi-Fi signal in dBm while associated, when the radio reports it.</summary>
    int? SignalDbm = null,
    /// <summary>Blocked from the internet right now (still on the LAN).</summary>
    bool Paused = false,
    /// <summary>While paused: when the pause ends; null: when the owner resumes the device.</summary>
    DateTimeOffset? PausedUntil = null,
    /// <summary>While paused: "owner" (paused by hand) or "schedule".</summary>
    string? PausedBy = null,
    /// <summary>The device's weekly pause times as the settings have them (empty: none).</summary>
    IReadOnlyList<Settings.PauseWindow>? PauseSchedule = null)
{
    public const string Wired = "wired", Wifi = "wifi";
}
