using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Qos;

/// <summary>Where the download tree sits (Qos/TcRenderer.cs): on the LAN bridge, unless a
/// download rate and the guest Wi-Fi are both set; then on an IFB the network plan makes, with
/// the bridge's and the guest interface's egress redirected into it, and the owner's queue report
/// reading the IFB's classes.</summary>
public class DownloadTreeTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], WifiDevice = "wlan0" };
    static readonly GuestWifiSettings Guest = new() { Enabled = true, Ssid = "visitors", Passphrase = "guest-key-123", Address = "192.168.2.1/24" };

    internal static DesiredState State(bool guest, long? down, long? up = 20_000)
    {
        var s = FirstBoot.Settings(Board, _ => "hash");
        s = s with
        {
            Wifi = s.Wifi with { Guest = guest ? Guest : new() },
            Qos = new() { UploadKbit = up, DownloadKbit = down },
        };
        return DesiredStateBuilder.Build(s, Board, new SystemFacts(null, DateTimeOffset.UnixEpoch));
    }

    static TcPlan Plan(DesiredState s) => TcRenderer.Render(s, LeafQdisc.Fifo);

    static string Nft(DesiredState s, LeafQdisc leaf) =>
        Renderer.RenderAll(s, null, new Routerd.Core.Wan.HookTarget(["/usr/bin/routerd"], "/run/routerd/routerd.sock"), leaf).Nftables;

    [Fact]
    public void A_download_rate_with_guests_moves_the_tree_to_the_ifb_and_redirects_both_egresses()
    {
        var s = State(guest: true, down: 100_000);
        var plan = Plan(s);
        Assert.Equal(["wan0", TcRenderer.DownloadIfb], plan.Devices);
        Assert.Equal(["br-lan", "wlan-guest"], plan.Redirects.Select(r => r.Device));
        Assert.All(plan.Redirects, r => Assert.Contains($"mirred egress redirect dev {TcRenderer.DownloadIfb}\n", r.Batch));
        Assert.Contains($"qdisc add dev {TcRenderer.DownloadIfb} root handle 1: htb default 20\n", plan.Batch);
        Assert.DoesNotContain("dev br-lan root", plan.Batch);
        // The redirects come after the trees: their target must hold its tree first.
        Assert.True(plan.Batch.IndexOf("clsact", StringComparison.Ordinal) > plan.Batch.LastIndexOf("htb", StringComparison.Ordinal));

        var network = NetworkPlanRenderer.Render(s, null);
        Assert.Equal([TcRenderer.DownloadIfb], network.Ifbs);
        Assert.Contains(TcRenderer.DownloadIfb, network.Up);
    }

    [Theory]
    [InlineData(false, 100_000L, null)] // no guests: the bridge carries every download
    [InlineData(true, null, 20_000L)] // guests, but only the upload shaped: the unshaped tree on the bridge
    [InlineData(false, null, 20_000L)]
    public void Without_both_a_download_rate_and_guests_the_tree_stays_on_the_bridge(bool guest, long? down, long? up)
    {
        var s = State(guest, down, up);
        var plan = Plan(s);
        Assert.Equal(["wan0", "br-lan"], plan.Devices);
        Assert.Empty(plan.Redirects);
        Assert.DoesNotContain("ifb", plan.Batch);
        Assert.Empty(NetworkPlanRenderer.Render(s, null).Ifbs);
    }

    [Fact]
    public void Nothing_shaped_with_guests_keeps_the_port_queues_and_no_ifb()
    {
        var s = State(guest: true, down: null, up: null);
        var plan = Plan(s);
        Assert.False(plan.ShaperOn);
        Assert.Equal(["wan0", "lan1"], plan.Devices);
        Assert.Empty(plan.Redirects);
        Assert.Empty(NetworkPlanRenderer.Render(s, null).Ifbs);
    }

    [Theory]
    [InlineData(false, "br-lan")]
    [InlineData(true, TcRenderer.DownloadIfb)] // guests: the same cake, on the IFB both egresses lead into
    public void On_a_kernel_with_cake_the_shaped_download_is_one_cake_and_the_firewall_picks_its_tins(bool guest, string device)
    {
        var state = State(guest, down: 14_400, up: 1_800);
        var plan = TcRenderer.Render(state, LeafQdisc.Cake);
        Assert.Equal(["wan0", device], plan.Devices);
        Assert.Contains($"qdisc add dev {device} root handle 1: cake bandwidth 14400kbit precedence dual-dsthost ingress rtt 180ms\n", plan.Batch);
        Assert.DoesNotContain($"class add dev {device}", plan.Batch);
        // The upload keeps its tree: there the router is the bottleneck already.
        Assert.Contains("qdisc add dev wan0 root handle 1: htb default 20\n", plan.Batch);
        // Not shaped, the download keeps the tree at a rate no port reaches (priority only).
        var unshaped = TcRenderer.Render(State(guest, down: null, up: 1_800), LeafQdisc.Cake);
        Assert.Contains("qdisc add dev br-lan root handle 1: htb default 20\n", unshaped.Batch);
        Assert.DoesNotContain("cake bandwidth", unshaped.Batch);

        // The firewall picks the cake's tins, last in chain to_lan before its accept, only when the download is one.
        Assert.True(TcRenderer.DownloadIsCake(state, LeafQdisc.Cake));
        string nft = Nft(state, LeafQdisc.Cake);
        string toLan = nft[nft.IndexOf("chain to_lan {", StringComparison.Ordinal)..];
        toLan = toLan[..toLan.IndexOf("\n\t}", StringComparison.Ordinal)];
        Assert.EndsWith("meta priority 1:6 meta priority set 1:2 comment \"the download's cake: the lane in its tin ahead of the rest...\"\n" +
            "\t\tmeta priority != 1:2 meta priority set 1:1 comment \"...every other download in the tin after it\"\n" +
            "\t\taccept comment \"the end of the download path (and of LAN to LAN's)\"", toLan);
        foreach (var leaf in new[] { LeafQdisc.FqCodel, LeafQdisc.Fifo })
        {
            Assert.False(TcRenderer.DownloadIsCake(state, leaf));
            Assert.DoesNotContain("meta priority set 1:2", Nft(state, leaf));
        }
        Assert.False(TcRenderer.DownloadIsCake(State(guest, down: null, up: 1_800), LeafQdisc.Cake));
    }

    sealed class Classes : IQueueStatsReader
    {
        public readonly List<string> Asked = [];
        public IReadOnlyList<QueueClassStats> ReadClassStats(string device)
        {
            Asked.Add(device);
            return [new("1:20", 2000, 2, 0, 0, 0, 0), new("1:6", 600, 6, 0, 0, 0, 0), new("1:1", 2600, 8, 0, 0, 0, 0)];
        }

        public IReadOnlyList<QueueClassStats> ReadTinStats(string device)
        {
            Asked.Add("tins of " + device);
            return [new("1:6", 600, 6, 0, 0, 0, 0), new("1:20", 2000, 2, 0, 0, 0, 0)];
        }
    }

    [Theory]
    [InlineData(false, "br-lan")]
    [InlineData(true, TcRenderer.DownloadIfb)]
    public void With_the_downloads_cake_the_report_reads_its_tins_and_the_uploads_classes(bool guest, string device)
    {
        var s = State(guest, down: 14_400, up: 1_800);
        var reader = new Classes();
        var view = QosReport.Build(s, TcRenderer.Render(s, LeafQdisc.Cake), LeafQdisc.Cake, reader);
        Assert.Equal(["wan0", "tins of " + device], reader.Asked);
        Assert.Equal(["vip", "bulk"], view.Queues[1].Classes.Select(c => c.Name));
    }

    [Fact]
    public void The_queue_report_reads_the_download_classes_from_the_ifb()
    {
        var s = State(guest: true, down: 100_000);
        var reader = new Classes();
        var view = QosReport.Build(s, Plan(s), LeafQdisc.Fifo, reader);
        Assert.Equal(["wan0", TcRenderer.DownloadIfb], reader.Asked);
        Assert.Equal(["wan0:upload", $"{TcRenderer.DownloadIfb}:download"], view.Queues.Select(q => $"{q.Device}:{q.Direction}"));
        Assert.Equal(["vip", "bulk"], view.Queues[1].Classes.Select(c => c.Name));
    }
}
