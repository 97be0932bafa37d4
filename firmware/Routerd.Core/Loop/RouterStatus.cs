namespace Routerd.Core.Loop;

/// <summary>What GET /api/status reports. Codes are structured ("wan/UP", "dnsmasq/RESTARTING")
/// so the UI can show a human message for each.</summary>
public sealed record RouterStatus(
    string Version,
    DateTimeOffset StartedAt,
    WanStatus Wan,
    IReadOnlyList<SubsystemStatus> Subsystems,
    long UptimeSeconds = 0,
    int DevicesOnline = 0)
{
    /// <summary>The access point: wifi/UP, APPLYING, FAILED, OFF or NO_RADIO.</summary>
    public Routerd.Core.Wifi.WifiStatus Wifi { get; init; } = Routerd.Core.Wifi.WifiStatus.NoRadio;
    /// <summary>The settings file was damaged at start (store/RESTORED, store/RESCUE: the UI shows a
    /// banner) or behind its last good copy (store/BEHIND: nothing was lost, so only the log and
    /// this field say it). Null: nothing to say.</summary>
    public Settings.StoreHealth? Store { get; init; }
    /// <summary>IPv6: ipv6/UP, CONNECTING, NO_PREFIX, NO_SERVER, PREFIX_LOST, WAN_DOWN (a static IPv6 WAN over a PPPoE
    /// session that is down) or OFF, with the mode, the WAN's address (and a static WAN's gateway), the delegated or routed prefix and the LAN's prefixes.</summary>
    public Ipv6.Ipv6Status? Ipv6 { get; init; }
    /// <summary>The stated quiet period: a device not on Wi-Fi counts as offline after this many seconds without a sign of it.</summary>
    public int? PresenceQuietSeconds { get; init; }
}

/// <summary>Message says why the WAN is not up; UptimeSeconds and SessionId belong to a PPPoE session.
/// RxBytes/TxBytes: the WAN interface's byte counters since it appeared (the UI derives
/// throughput from two readings); null when the interface does not exist.</summary>
public sealed record WanStatus(string Mode, string Interface, string Code, string? Address, string? Gateway, IReadOnlyList<string> Dns,
    string? Message = null, long? UptimeSeconds = null, string? SessionId = null, long? RxBytes = null, long? TxBytes = null);

/// <summary>Reads an interface's byte counters (received, sent); null if there is no such interface.</summary>
public interface IInterfaceCounters
{
    (long Rx, long Tx)? Read(string interfaceName);
}

public sealed record SubsystemStatus(string Name, string Code, string? Message);
