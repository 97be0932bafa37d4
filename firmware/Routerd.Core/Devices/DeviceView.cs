namespace Routerd.Core.Devices;

/// <summary>A device as the API and the CLI show it.</summary>
public sealed record DeviceView(
    string Mac,
    string? Hostname,
    IReadOnlyList<string> Addresses,
    bool Online,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen);
