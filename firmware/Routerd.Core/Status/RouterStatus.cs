namespace Routerd.Core.Status;

/// <summary>What GET /api/status reports. Codes are structured ("wan/UP", "dnsmasq/RESTARTING")
/// so the UI can show a human message for each.</summary>
public sealed record RouterStatus(
    string Version,
    DateTimeOffset StartedAt,
    WanStatus Wan,
    IReadOnlyList<SubsystemStatus> Subsystems);

public sealed record WanStatus(string Mode, string Interface, string Code, string? Address, string? Gateway, IReadOnlyList<string> Dns);

public sealed record SubsystemStatus(string Name, string Code, string? Message);

/// <summary>What the DHCP client hook reports (the environment udhcpc gives its script).
/// Everything here came from the network: the reconciler parses it strictly.</summary>
public sealed record DhcpHookReport(string Event, string Interface, string? Ip, string? Subnet, string? Router, string? Dns);
