using Routerd.Core.Devices;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Core.Loop;

/// <summary>Everything that can change what routerd wants or knows arrives as one of these, in
/// one inbox (<see cref="EventLoop{TEvent}"/>). Whoever sent it may wait for <see cref="Done"/>:
/// it completes once the event was handled and the snapshot that shows its effect is published.</summary>
public abstract class RouterEvent
{
    readonly TaskCompletionSource<object?> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public Task<object?> Done => done.Task;
    /// <summary>When the event was made (Stopwatch ticks): its sender's wait starts about then (timing logs).</summary>
    internal long Made { get; } = System.Diagnostics.Stopwatch.GetTimestamp();
    internal void Complete(object? result) => done.TrySetResult(result);
    internal void Fail(Exception e) => done.TrySetException(e);
    public override string ToString() => GetType().Name;
}

// API commands: the web API and the control socket.
public sealed class ApplyStored : RouterEvent;
public sealed class ChangeSettings(RouterSettings incoming, bool withRollback) : RouterEvent
{
    public RouterSettings Incoming { get; } = incoming;
    /// <summary>A new LAN address becomes a pending change that rolls back unless confirmed.</summary>
    public bool WithRollback { get; } = withRollback;
}
public sealed class SetPriority(MacAddress mac, bool enabled, DateTimeOffset? until) : RouterEvent
{
    public MacAddress Mac { get; } = mac;
    public bool Enabled { get; } = enabled;
    public DateTimeOffset? Until { get; } = until;
}
/// <summary>Pause a device (optionally until a time) or resume it (null: as it is); a schedule, when given, replaces its weekly one.</summary>
public sealed class SetPause(MacAddress mac, bool? paused, DateTimeOffset? until, IReadOnlyList<PauseWindow>? schedule) : RouterEvent
{
    public MacAddress Mac { get; } = mac;
    public bool? Paused { get; } = paused;
    public DateTimeOffset? Until { get; } = until;
    public IReadOnlyList<PauseWindow>? Schedule { get; } = schedule;
}
public sealed class AddDevice(MacAddress mac, string? name) : RouterEvent
{
    public MacAddress Mac { get; } = mac;
    public string? Name { get; } = name;
}
public sealed class ChangePassword(string hash) : RouterEvent
{
    public string Hash { get; } = hash;
}
public sealed class FactoryReset(RouterSettings firstBoot, Action forgetStoredState) : RouterEvent
{
    public RouterSettings FirstBoot { get; } = firstBoot;
    public Action ForgetStoredState { get; } = forgetStoredState;
}
public sealed class ConfirmChange : RouterEvent;
/// <summary>Create (no id), replace or delete (no forward) one port forward.</summary>
public sealed class EditForward(int? id, PortForward? forward) : RouterEvent
{
    public int? Id { get; } = id;
    public PortForward? Forward { get; } = forward;
    /// <summary>The forward's id, set by the loop (a new forward's is assigned there).</summary>
    public int AssignedId { get; internal set; }
}

/// <summary>Create (no id), replace or delete (no server) one virtual server.</summary>
public sealed class EditVirtualServer(int? id, VirtualServer? server) : RouterEvent
{
    public int? Id { get; } = id;
    public VirtualServer? Server { get; } = server;
    /// <summary>The server's id, set by the loop (a new server's is assigned there).</summary>
    public int AssignedId { get; internal set; }
}

// Hooks of the daemons routerd runs.
public sealed class DhcpHook(DhcpHookReport report) : RouterEvent
{
    public DhcpHookReport Report { get; } = report;
}
/// <summary>dhcpcd's hook reported (the WAN's DHCPv6 lease and delegated prefix).</summary>
public sealed class Dhcp6Hook(Ipv6.Dhcp6HookReport report) : RouterEvent
{
    public Ipv6.Dhcp6HookReport Report { get; } = report;
}
public sealed class PppHook(PppHookReport report) : RouterEvent
{
    public PppHookReport Report { get; } = report;
}
/// <summary>pppd exited: its exit status, what its log said about the session's end (null:
/// nothing), and its process id (null: not known).</summary>
public sealed class PppExited(int status, int? announced = null, int? pid = null) : RouterEvent
{
    public int Status { get; } = status;
    public int? Announced { get; } = announced;
    public int? Pid { get; } = pid;
}

/// <summary>What a PPPoE discovery probe for any service found after pppd heard no access
/// concentrator (dial <see cref="Dial"/>: an answer about an older dial is stale).</summary>
public sealed class PppoeProbed(Routerd.Core.Wan.WanDetection detection, int dial) : RouterEvent
{
    public Routerd.Core.Wan.WanDetection Detection { get; } = detection;
    public int Dial { get; } = dial;
}

// Observers: netlink, dnsmasq's leases, hostapd.
public sealed class CarrierChanged(string device, bool present) : RouterEvent
{
    public string Device { get; } = device;
    public bool Present { get; } = present;
}
/// <summary>A global IPv6 address appeared on an interface or went (netlink): the WAN's address
/// from router advertisements (SLAAC) is known only this way.</summary>
public sealed class Address6Changed(InterfaceAddress6 address, bool deleted) : RouterEvent
{
    public InterfaceAddress6 Address { get; } = address;
    public bool Deleted { get; } = deleted;
}
/// <summary>Every global IPv6 address the kernel holds now (at start, and after it dropped events).</summary>
public sealed class Addresses6Dumped(IReadOnlyList<InterfaceAddress6> addresses) : RouterEvent
{
    public IReadOnlyList<InterfaceAddress6> Addresses { get; } = addresses;
}
/// <summary>A neighbour of the LAN bridge appeared, changed or went (netlink).</summary>
public sealed class NeighbourChanged(NeighbourInfo neighbour, bool deleted) : RouterEvent
{
    public NeighbourInfo Neighbour { get; } = neighbour;
    public bool Deleted { get; } = deleted;
}
/// <summary>A fresh dump of the LAN bridge's neighbours (at start, after the bridge was made again, and now and then in case events were lost).</summary>
public sealed class NeighboursDumped(IReadOnlyList<NeighbourInfo> neighbours) : RouterEvent
{
    public IReadOnlyList<NeighbourInfo> Neighbours { get; } = neighbours;
}
public sealed class LeasesChanged(IReadOnlyList<DhcpLease> leases) : RouterEvent
{
    public IReadOnlyList<DhcpLease> Leases { get; } = leases;
}
/// <summary>A station joined or left the access point (hostapd's events), or the whole list (after a restart of hostapd).</summary>
public sealed class StationsChanged(IReadOnlyList<(MacAddress Mac, int? SignalDbm)> stations, bool? connected) : RouterEvent
{
    public IReadOnlyList<(MacAddress Mac, int? SignalDbm)> Stations { get; } = stations;
    /// <summary>null: <see cref="Stations"/> is the complete list.</summary>
    public bool? Connected { get; } = connected;
}

/// <summary>These devices' traffic counters moved (the traffic meter's sample): a sign of life.</summary>
public sealed class TrafficMoved(IReadOnlyList<MacAddress> macs) : RouterEvent
{
    public IReadOnlyList<MacAddress> Macs { get; } = macs;
}

/// <summary>The access point's adapter did or saw something (hostapd's STATUS answer, its socket
/// gone, an error line): the Wifi slice decides the status from it.</summary>
public sealed class WifiObserved(Wifi.WifiReport report) : RouterEvent
{
    public Wifi.WifiReport Report { get; } = report;
}

/// <summary>The health checker's verdicts, one per backend it tried: (server id, backend key, answered).</summary>
public sealed class BackendsProbed(IReadOnlyList<(int Server, string Backend, bool Up)> results) : RouterEvent
{
    public IReadOnlyList<(int Server, string Backend, bool Up)> Results { get; } = results;
}

/// <summary>The connections each backend of a weighted least-connections server held at a count
/// (nftables path, after each health round): the slots are shared out again by them.</summary>
public sealed class BackendsCounted(IReadOnlyDictionary<(int Server, System.Net.IPAddress Address, int Port), int> counts) : RouterEvent
{
    public IReadOnlyDictionary<(int Server, System.Net.IPAddress Address, int Port), int> Counts { get; } = counts;
}

/// <summary>The device registry changed outside the inbox (a test, a tool): the VIP sets follow.</summary>
public sealed class DevicesChanged : RouterEvent;

/// <summary>Nothing: its answer says that everything posted before it has been handled.</summary>
public sealed class SyncPoint : RouterEvent;

/// <summary>A deadline is due: a priority's expiry, a pause's start or end, a pending change's rollback, the daily PPPoE reconnect.</summary>
public sealed class Tick : RouterEvent;
