using Routerd.Core.Net;

namespace Routerd.Core.Settings;

// The desired state: one immutable, typed tree built from validated settings plus the board.
// Renderers read only this (and observed facts such as the WAN lease); they never see raw input.

public sealed record DesiredState(Board Board, LanPlan Lan, WanPlan Wan, QosPlan Qos, Wifi.WifiPlan? Wifi = null)
{
    /// <summary>The port forwards, enabled or not (Firewall/ForwardRules.cs).</summary>
    public IReadOnlyList<Firewall.ForwardPlan> Forwards { get; init; } = [];
    /// <summary>The virtual servers, enabled or not (VirtualServers/VirtualServerRules.cs).</summary>
    public IReadOnlyList<VirtualServers.VirtualServerPlan> VirtualServers { get; init; } = [];
    /// <summary>IPv6 on the WAN and the LAN; off unless the settings switch it on.</summary>
    public Ipv6.Ipv6Plan Ipv6 { get; init; } = Routerd.Core.Ipv6.Ipv6Plan.Off;
    /// <summary>Which devices are paused, by the owner or by a schedule (Pause/PausePlan.cs).</summary>
    public Pause.PausePlan Pause { get; init; } = Routerd.Core.Pause.PausePlan.Empty;
    /// <summary>The owner's time zone: pause schedules are in its local time (Time/TimeRules.cs).</summary>
    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Utc;
}

/// <summary>The shaper rates (null: off) and the devices in the VIP lane right now.</summary>
public sealed record QosPlan(long? UploadKbit, long? DownloadKbit, IReadOnlyList<MacAddress> VipMacs);

public sealed record LanPlan(
    string Bridge,
    IReadOnlyList<string> Ports,
    Ipv4Network Address,
    DhcpPool? Dhcp,
    IReadOnlyList<StaticLeasePlan> StaticLeases,
    /// <summary>The previous LAN address, kept on the bridge while a change of it waits for the
    /// user's confirmation, so the browser that made the change is not cut off.</summary>
    Ipv4Network? Fallback = null);

public sealed record DhcpPool(uint Start, uint End, int LeaseSeconds);

public sealed record StaticLeasePlan(MacAddress Mac, uint Address, string? Hostname);

/// <summary>The WAN: its mode and port, the upstream DNS servers the user fixed (the protocol's,
/// e.g. static mode's, then the override; empty: use the ISP's), and the active protocol's own
/// part (Wan/Static's address, Wan/Pppoe's account and dialling policy), null when it has none.</summary>
public sealed record WanPlan(
    string Mode,
    string Device,
    IReadOnlyList<string> Dns,
    Wan.IWanProtocolPlan? Protocol = null,
    /// <summary>MAC clone: the address the WAN port takes instead of its own; null: its own.</summary>
    MacAddress? Mac = null)
{
    /// <summary>The active protocol's part, when it is a <typeparamref name="T"/>.</summary>
    public T? Plan<T>() where T : class, Wan.IWanProtocolPlan => Protocol as T;
}
