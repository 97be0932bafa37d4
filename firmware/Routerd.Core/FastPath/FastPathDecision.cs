using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.FastPath;

/// <summary>The names <see cref="Board.FastPath"/> takes.</summary>
public static class FastPaths
{
    /// <summary>"auto": `routerd serve` asks the kernel at start (a dry run of a flowtable, see
    /// Routerd.Platform/Nft/FlowtableProbe) and turns it into one of the other two.</summary>
    public const string Auto = "auto", Flowtable = "flowtable", Off = "off";
}

/// <summary>When established forwarded connections take the kernel's flowtable (nf_flow_table's
/// software offload: after a connection's first packets, the ingress hook of the port forwards it
/// straight to the other port, past routing, the forward chain and NAT's rules), and what that asks
/// of the rest of the router.
///
/// Only when nothing is shaped: the shaper's classes are chosen in the forward chain (`meta
/// priority`) and by the conntrack mark, which an offloaded packet never reaches, so with line
/// rates set the VIP lane would lose its class. Without rates the per-port priority queues still
/// see every packet (the flowtable transmits through them), and VIP devices' connections are kept
/// out of the flowtable by the rules, so their marks still apply.
///
/// Nor while the router's Wi-Fi serves: the VIP lane crosses the radio by DSCP
/// (NftRenderer.VipDscp), and that only holds because every other download has the internet's DSCP
/// cleared on the download path (chain to_lan), which an offloaded packet skips; an internet host
/// could then put a non-VIP device's download in the voice access category by marking it EF
/// (wifi-vip-wmm.sh checks that it cannot). Clearing it at the WAN port's ingress instead would not
/// reach PPPoE, whose frames the flowtable takes before any IP rule sees them.</summary>
public static class FastPathDecision
{
    /// <summary>The kernel has nf_flow_table (resolved at start into the board), no line rate is
    /// set and the access point is not serving.</summary>
    public static bool IsOn(DesiredState state) =>
        IsOn(state.Board.FastPath == FastPaths.Flowtable, state.Qos) && state.Wifi is not { Device: not null, Enabled: true };

    public static bool IsOn(bool kernelHasFlowtable, QosPlan qos) =>
        kernelHasFlowtable && qos.UploadKbit is null && qos.DownloadKbit is null;

    /// <summary>The devices the flowtable hooks: where forwarded packets enter the router, as the
    /// kernel resolves them. A flowtable hooks a real device's ingress; the kernel follows a route
    /// through a bridge, a VLAN or a PPPoE session down to the port (dev_fill_forward_path), so the
    /// LAN bridge is represented by its ports, and the WAN by its port also in PPPoE mode (ppp-wan
    /// and a VLAN device sit on top of it). The bridge itself cannot be a flowtable device. Seen in
    /// the lab VM (6.1, pppd by hand): over PPPoE on wan0, and in VLAN 7 on wan0, a flowtable on
    /// wan0 and the LAN port offloaded an upload (the forward chain saw 77 of some 4,000 packets).</summary>
    public static IReadOnlyList<string> Devices(DesiredState state) =>
        [.. new[] { state.Wan.Device }.Concat(state.Lan.Ports).Distinct()];

    /// <summary>The devices of the fast path's flowtable on this system while connections take it,
    /// or null when none do: the fast path is off, or there is no flowtable.</summary>
    public static IReadOnlyList<string>? Devices(DesiredState state, IReadOnlySet<string>? present) =>
        IsOn(state) ? FlowtableDevices(state, present) : null;

    /// <summary>Whether the table declares the flowtable (<see cref="FlowtableDevices"/>): the kernel has one.</summary>
    public static bool HasFlowtable(DesiredState state) => state.Board.FastPath == FastPaths.Flowtable;

    /// <summary>The flowtable's devices whenever the kernel has one, whether connections take it now
    /// (<see cref="IsOn"/>) or not; null when it has none or the WAN port is missing (an unplugged USB
    /// adapter: nothing is forwarded then). The kernel refuses a flowtable naming a device that does
    /// not exist, and with it the whole ruleset, so a missing LAN port is left out rather than taking
    /// the firewall down; it joins at the next apply. <paramref name="present"/>: the interfaces that
    /// exist (null: all do).
    ///
    /// Declared also while the fast path is off (line rates set, the access point serving), with no
    /// rule offloading to it, so that every apply replaces a flowtable with a flowtable in its one
    /// transaction. Putting a flowtable in or taking it out on its own while connections load the
    /// router hung the lab VM's kernel (Debian's 6.1: ksoftirqd looping in __netif_receive_skb_core
    /// for good, both CPUs): line rates set while three devices ran 24 TCP flows, at the first try;
    /// and the same in two of four tries of swapping routerd's table for kernel NAT alone or back.
    /// Replacing it in one transaction did not: 30 priority toggles (each a reload) under the same
    /// load, and with it declared throughout, 15 rounds of line rates set and cleared (issue 21's
    /// note). What an idle flowtable costs: its ingress hook looks each arriving packet up in an
    /// empty table.</summary>
    public static IReadOnlyList<string>? FlowtableDevices(DesiredState state, IReadOnlySet<string>? present) =>
        !HasFlowtable(state) || present is not null && !present.Contains(state.Wan.Device) ? null
        : [.. Devices(state).Where(d => present is null || present.Contains(d))];

    /// <summary>A connection already in the flowtable never meets the rules again, so when a device
    /// joins the VIP lane or is paused while the fast path is on, its connections must be taken out:
    /// true when <paramref name="now"/> holds a device <paramref name="before"/> did not. (Reloading
    /// the table destroys the flowtable with every flow in it; each connection's next packet goes
    /// through the rules again, and those of other devices are offloaded again at once.)</summary>
    public static bool MustEvict(bool fastPathOn, IReadOnlyCollection<MacAddress> before, IReadOnlyCollection<MacAddress> now) =>
        fastPathOn && now.Any(m => !before.Contains(m));
}
