
namespace Routerd.Core.FastPath;

/// <summary>The fast path's part of <c>table inet routerd</c>: the flowtable, declared whenever the
/// kernel has one (FastPathDecision.FlowtableDevices says why), and the few rules around it, only
/// while the fast path is on (without them the ruleset is what it was without a fast path).
///
/// Counting. The traffic meter counts by set counters in the forward chain, which an offloaded
/// packet skips. Counting instead at ingress, before the flowtable, would not work for downloads:
/// there the destination is still the WAN address (NAT is undone later), so the device is unknown.
/// Conntrack knows: the flowtable's <c>counter</c> flag adds offloaded packets to the connection's
/// own counters, and with conntrack accounting on (FastPathDecision.Sysctls) the slow path adds
/// the others. So every connection a LAN device opens while the fast path is on carries
/// <see cref="CountedMark"/> from its first packet, is counted by conntrack only (the sets skip
/// it), and the meter credits its original direction as the device's upload and its reply
/// direction as its download. Every byte is counted once, whichever path it took, also the
/// first packets before the offload and the last ones after a FIN takes it out again.
/// Connections the rules never mark (VIP devices', port forwards', those older than the switch)
/// stay on the sets as before.</summary>
public static class FlowtableRenderer
{
    public const string Name = "fastpath";

    /// <summary>The conntrack mark bit of "counted by conntrack, may be offloaded" (beside the
    /// VIP lane's bit, NftRenderer.VipMark).</summary>
    public const uint CountedMarkBit = 0x2;
    public const string CountedMark = "0x00000002";
    /// <summary>Both bits: a connection is offloaded only when it is counted by conntrack and not in the VIP lane.</summary>
    const string CountedOrVip = "0x00000003";

    static string Quote(string name) => $"\"{name}\"";

    // The rules take the fast path's devices (FastPathDecision.Devices), null when it is off.

    /// <summary>The flowtable, in the table's declarations (its devices: FastPathDecision.FlowtableDevices).</summary>
    public static string Declaration(IReadOnlyList<string>? devices) => devices is null ? "" : $$"""
        	flowtable {{Name}} {
        		hook ingress priority filter
        		devices = { {{string.Join(", ", devices.Select(Quote))}} }
        		counter
        	}


        """;

    /// <summary>The upload chain's counting rule: unchanged when the fast path is off.</summary>
    public static string UploadCount(IReadOnlyList<string>? devices, string count) => devices is null ? count : $$"""
        ct state new ether saddr != @vip_macs meta l4proto { tcp, udp } ct mark set ct mark | {{CountedMark}} comment "a connection a device outside the VIP lane opens is counted by conntrack, which also counts it in the flowtable"
        		ct mark & {{CountedMark}} != {{CountedMark}} {{count}}
        """;

    /// <summary>After the VIP lane's rules (whose packets have left the chain by then): the offload.</summary>
    public static string UploadOffload(IReadOnlyList<string>? devices) => devices is null ? "" : $"""
        		ct mark & {CountedOrVip} == {CountedMark} flow add @{Name} comment "established connections outside the VIP lane take the flowtable (nothing is shaped); conntrack counts them there"

        """;

    /// <summary>Before the download counting rules: what conntrack counts, the sets must not; on
    /// to the download's classification (<paramref name="next"/>) as the counted ones go.</summary>
    public static string DownloadSkip(IReadOnlyList<string>? devices, string next) => devices is null ? "" : $"""
        		ct mark & {CountedMark} == {CountedMark} goto {next} comment "counted by conntrack (upload and download of the device that opened it)"

        """;
}
