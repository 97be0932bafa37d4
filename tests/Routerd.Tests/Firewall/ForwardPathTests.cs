using Routerd.Core.Qos;
using Routerd.Tests.Rendering;
using Xunit;

namespace Routerd.Tests.Firewall;

/// <summary>A forwarded packet crosses one filter hook: chain forward's path map sends it to its
/// path, and every path ends in the rules that pick its class and DSCP before it is accepted, or
/// leaves earlier only where none of them applies (the fast exits). A
/// second hook on the forwarding path (a postrouting chain that classified) cost 3.6 % of a flow's
/// goodput; an accept that left a path early would send its packets out unclassified (a VIP
/// device's download behind bulk, the internet's DSCP marks on the radio). Checked on every golden
/// case's ruleset, so no feature's variant of the chains escapes it.</summary>
public class ForwardPathTests
{
    public static TheoryData<string> Cases() => GoldenTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_forwarded_packet_is_classified_on_its_one_filter_hook(string name)
    {
        string nft = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name, "expected", "routerd.nft"));
        Assert.DoesNotContain("type filter hook postrouting", nft);
        Assert.Single(Rules(nft, "forward"), rule => rule.Contains("\"br-lan\" . \"br-lan\" : jump to_lan", StringComparison.Ordinal));

        // Upload: a VIP device's packets go to upload_vip, which ends in the lane's class; the bulk of
        // a connection conntrack counts outside the lane leaves at the fast exit (bulk: no class to
        // pick); then the acknowledgements' class, TCP's other packets, and the control map for the
        // rest, each ending in accept.
        var upload = Rules(nft, "upload");
        Assert.StartsWith("ether saddr @vip_macs goto upload_vip", upload[1]);
        Assert.StartsWith("meta length < 128 tcp flags & (fin | syn | rst | ack) == ack meta priority set 1:7 accept", upload[^4]);
        Assert.StartsWith("meta l4proto tcp accept", upload[^3]);
        Assert.StartsWith("meta l4proto vmap { udp : jump control_udp, icmp : jump control_icmp, ipv6-icmp : jump control_icmpv6 }", upload[^2]);
        Assert.StartsWith("accept", upload[^1]);
        Assert.Single(upload[..^4], rule => rule.Contains(" accept", StringComparison.Ordinal));
        Assert.Single(upload[..^4], rule => rule.StartsWith($"meta length >= 128 ct mark & {OutsideTheLane} ct state established meta l4proto tcp ", StringComparison.Ordinal) && rule.Contains(" accept", StringComparison.Ordinal));
        Assert.Contains("meta priority set 1:6 accept", Rules(nft, "upload_vip")[^1]);

        // Download: what it lets through goes on to to_lan, but for its fast exits: a connection
        // the LAN opened, counted by conntrack, outside the lane, with no DSCP to clear (to_lan would
        // leave it as it is), and under the download's cake given bulk's tin as to_lan would.
        var download = Rules(nft, "download");
        var exits = download.Where(rule => rule.Contains(" accept", StringComparison.Ordinal) || rule.StartsWith("accept", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, exits.Count);
        string bulkTin = Rules(nft, "to_lan").Any(rule => rule.Contains($"meta priority set {TcRenderer.CakeBulkPriority} ", StringComparison.Ordinal)) ? $"meta priority set {TcRenderer.CakeBulkPriority} " : "";
        Assert.StartsWith($"ct mark & {OutsideTheLane} tcp flags & syn == 0 ip dscp cs0 {bulkTin}accept ", exits[0]);
        Assert.StartsWith($"ct mark & {OutsideTheLane} tcp flags & syn == 0 ip6 dscp cs0 {bulkTin}accept ", exits[1]);
        Assert.All(download[^2..], rule => Assert.Contains(" goto to_lan ", rule));

        Assert.StartsWith("accept", Rules(nft, "to_lan")[^1]);
        Assert.Contains("type filter hook output", nft);
    }

    /// <summary>Counted by conntrack (Firewall/ConnectionCounting.cs), not in the VIP lane.</summary>
    const string OutsideTheLane = "0x00000003 == 0x00000002";

    /// <summary>The rules of chain <paramref name="chain"/>, one per line, without their indentation.</summary>
    static string[] Rules(string nft, string chain)
    {
        int start = nft.IndexOf($"\tchain {chain} {{\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no chain {chain}");
        int end = nft.IndexOf("\n\t}", start, StringComparison.Ordinal);
        return nft[start..end].Split('\n').Skip(1).Select(l => l.Trim()).Where(l => !l.StartsWith("type ", StringComparison.Ordinal)).ToArray();
    }
}
