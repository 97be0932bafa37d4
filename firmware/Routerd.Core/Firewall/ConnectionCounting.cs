namespace Routerd.Core.Firewall;

/// <summary>Who counts a device's traffic: conntrack, for every connection a LAN device outside
/// the VIP lane opens (with the fast path off, every TCP connection: below); the forward chain's
/// dynamic sets (NftRenderer.TrafficUpSet and the download sets) for the rest: VIP devices'
/// connections, port forwards', those older than the rules, and UDP with the fast path off.
///
/// Conntrack because the fast path needs it: an offloaded packet skips the forward chain and its
/// sets, and counting at ingress, before the flowtable, would not work for downloads (there the
/// destination is still the WAN address, NAT is undone later, so the device is unknown). The
/// flowtable's <c>counter</c> flag adds offloaded packets to the connection's own counters, and
/// with conntrack accounting on (<see cref="Sysctls"/>) the slow path adds the others. Such a
/// connection carries <see cref="CountedMark"/> from its first packet; the meter (TrafficMeter)
/// credits its original direction to the device that opened it as upload and its reply direction
/// as download. Every byte is counted once, whichever path it took.
///
/// Also TCP connections with the fast path off (line rates set, the access point serving, a
/// kernel without nf_flow_table), because it is cheaper: a set update on every forwarded packet
/// is one of the dearest steps of the forwarding path (host, 4 up + 4 down TCP flows, nft's
/// share of the busy CPU, medians of five alternating runs: 4.1 % with the sets counting every
/// packet, 3.55 % with conntrack counting), and with the counted connections known by their
/// mark, most packets leave each path early (NftRenderer: the fast exits, which are TCP's; 3.0 %
/// with them). Not UDP then: the meter remembers every counted connection (Devices/ConnectionLedger.cs,
/// 24 bytes each), and a single device's flood of one-datagram flows fills the connection table
/// (90k in the hardening load: 3 MB more, where routerd's whole budget is 40).</summary>
public static class ConnectionCounting
{
    /// <summary>The conntrack mark bit of "counted by conntrack, may be offloaded" (beside the
    /// VIP lane's bit, NftRenderer.VipMark).</summary>
    public const uint CountedMarkBit = 0x2;
    public const string CountedMark = "0x00000002";
    /// <summary>Both bits: counted by conntrack and not in the VIP lane (what may be offloaded,
    /// and what may take the fast exits).</summary>
    public const string CountedOrVip = "0x00000003";

    /// <summary>In the upload chain, after a VIP device's packets have gone to their own chain: a
    /// new connection is marked counted (TCP's only, unless <paramref name="fastPath"/>).</summary>
    public static string UploadMark(bool fastPath) =>
        $"ct state new meta l4proto {(fastPath ? "{ tcp, udp }" : "tcp")} ct mark set ct mark | {CountedMark} comment \"a connection a device outside the VIP lane opens is counted by conntrack (Firewall/ConnectionCounting.cs)\"";

    /// <summary>The upload's set counting, for the connections conntrack does not count.</summary>
    public const string UploadCount =
        $"ct mark & {CountedMark} != {CountedMark} update @{NftRenderer.TrafficUpSet} {{ ether saddr }} comment \"bytes and packets each device sends to the internet, of connections conntrack does not count\"";

    /// <summary>Before the download counting rules: what conntrack counts, the sets must not; on
    /// to the download's classification (<paramref name="next"/>) as the counted ones go.</summary>
    public static string DownloadSkip(string next) =>
        $"\t\tct mark & {CountedMark} == {CountedMark} goto {next} comment \"counted by conntrack (upload and download of the device that opened it)\"\n";

    /// <summary>Conntrack accounting: a connection counts only if it was created with it on.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Sysctls { get; } = [new("net.netfilter.nf_conntrack_acct", "1")];
}
