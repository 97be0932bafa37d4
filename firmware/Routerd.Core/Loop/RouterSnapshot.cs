using Routerd.Core.Lan;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Firewall;
using Routerd.Core.Pause;
using Routerd.Core.Wan;

namespace Routerd.Core.Loop;

/// <summary>What the loop knew after its last step, immutable: API reads are served from it and
/// never wait for an apply in progress (a hostapd restart, a dial).</summary>
/// <param name="Wan">the WAN's status without its uptime, which the reader computes from <paramref name="WanUpSince"/>
/// (a monotonic timestamp of the router's clock, TimeProvider.GetTimestamp).</param>
/// <param name="Retiring">a confirmed LAN change's old address, still served for a few seconds.</param>
/// <param name="Wifi">the access point's status as the Wifi slice decided it from hostapd's reports.</param>
public sealed record RouterSnapshot(
    RouterSettings Settings,
    DesiredState State,
    WanLease? Lease,
    WanStatus Wan,
    long? WanUpSince,
    IReadOnlyList<SubsystemStatus> Subsystems,
    PendingChange? Pending,
    Ipv4Network? Retiring,
    Wifi.WifiStatus Wifi)
{
    /// <summary>IPv6 on the WAN and the LAN (Ipv6/Ipv6Status.cs).</summary>
    public Ipv6.Ipv6Status? Ipv6 { get; init; }

    /// <summary>The devices paused at this step, by MAC ("aa:bb:..."), with why and until when.</summary>
    public IReadOnlyDictionary<string, PauseStatus> Paused { get; init; } = PauseStatus.None;

    /// <summary>The virtual servers' health checks' verdicts by (server id, backend key); missing: not checked yet.</summary>
    public IReadOnlyDictionary<(int Server, string Backend), VirtualServers.BackendHealth> BackendHealth { get; init; } =
        System.Collections.Immutable.ImmutableDictionary<(int, string), VirtualServers.BackendHealth>.Empty;

    /// <summary>The LAN addresses the web UI listens on: the current one and, while a change
    /// waits for confirmation, the previous one.</summary>
    public IEnumerable<System.Net.IPAddress> LanAddresses()
    {
        yield return State.Lan.Address.Ip;
        if (State.Lan.Fallback is { } previous) yield return previous.Ip;
    }
}
