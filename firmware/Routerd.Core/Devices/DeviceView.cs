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
    int? SignalDbm = null)
{
    public const string Wired = "wired", Wifi = "wifi";
}
