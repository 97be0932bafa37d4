using System.Text;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Core.Qos;

/// <summary>The leaf queue under each HTB class: the best the running kernel has (detected at
/// run time by the tc adapter).</summary>
public enum LeafQdisc { Cake, FqCodel, Fifo }

/// <summary>The queueing plan as a `tc -batch` script that builds each tree from scratch (HTB
/// cannot change a running qdisc in place: the applier removes the old root first), and the
/// devices it puts a root qdisc on (a device that drops out of the plan gets its default back).
/// <see cref="Redirects"/>: devices whose egress is sent into another device's tree, each with
/// its own commands, run after the trees (the applier skips a device that does not exist yet:
/// the guest Wi-Fi's interface appears when hostapd makes it).</summary>
public sealed record TcPlan(IReadOnlyList<string> Devices, string Trees, bool ShaperOn)
{
    public IReadOnlyList<TcRedirect> Redirects { get; init; } = [];

    /// <summary>The whole plan in `tc -batch` syntax (for `routerd render`, the golden files and
    /// telling an unchanged plan).</summary>
    public string Batch => Trees + string.Concat(Redirects.Select(r => r.Batch));
}

/// <summary>A device's egress redirected into another device's tree: a clsact qdisc on
/// <paramref name="Device"/> and a filter that sends every packet on (the applier removes the
/// clsact when the device leaves the plan).</summary>
public sealed record TcRedirect(string Device, string Batch);

/// <summary>Renders the VIP lane's queues: on every egress where a queue can form, an HTB tree
/// with a strict-priority VIP class (1:6, guaranteed 85 %, may borrow everything), a class for bare
/// TCP acknowledgements next (1:7) and a bulk class (1:20, the default). nftables picks the class
/// with `meta priority set 1:6` (or 1:7).
///
/// With rates set, the shaper sits on WAN egress (upload) and on the LAN bridge (download,
/// shared by all LAN ports and Wi-Fi) at those rates, so the queue forms here and not in the
/// modem. Without rates nothing is shaped, but the same tree at a rate no port reaches sits on
/// the WAN port and each LAN port, where the queues do form, and priority still applies there:
/// the tree's leaves bring cake or fq_codel to each class. On a kernel with neither, the tree
/// would only put a strict priority over two fifos, which pfifo_fast does by itself, and
/// without HTB's cost on every packet: an empty pfifo_fast is bypassed, an HTB never is.
///
/// The guest Wi-Fi is routed, not on the bridge: its downloads leave through its own interface.
/// A tree on the bridge alone would let a visitor's download fill the ISP's queue past the
/// shaper, and the VIP call suffer exactly as without the lane. So with a download rate and a
/// guest network the download tree sits on an IFB device instead, and both the bridge's and the
/// guest interface's egress are redirected into it: one rate for the house and its guests, the
/// lane ahead of both. The packets keep skb->priority through the redirect (nftables' `meta
/// priority set 1:6` in the forward chain runs before), so the class is picked as on the bridge;
/// guests' packets fall to bulk like every unmarked packet. Without a guest network the tree
/// stays on the bridge: an IFB pass costs every packet a redirect and a second transmit.
///
/// A shaped download on a kernel with cake is one cake instead of the tree (<see
/// cref="CakeDownload"/> says why, and how the lane is kept).</summary>
public static class TcRenderer
{
    /// <summary>Everyone not in the VIP lane (the HTB default).</summary>
    public const string BulkClass = "1:20";

    /// <summary>Bare TCP acknowledgements on their way out (NftRenderer: chain upload picks the
    /// LAN's, chain control_tcp the router's own): after the lane, ahead of bulk.</summary>
    public const string AckClass = "1:7";

    /// <summary>The IFB device that carries the download tree when guests share it (routerd makes
    /// it through the network plan).</summary>
    public const string DownloadIfb = "ifb-down";

    /// <summary>The IFB the download tree moves to, or null when it stays on the bridge: only a
    /// shaped download with a guest network needs one.</summary>
    public static string? DownloadIfbFor(DesiredState state) =>
        state.Qos.DownloadKbit is not null && state.Wifi?.Guest is not null ? DownloadIfb : null;

    /// <summary>1 Tbit/s, above any port's speed: HTB then schedules by priority without
    /// limiting. (10 Gbit/s was not enough: veth pairs, and the lab's, forward faster.)</summary>
    const long UnshapedKbit = 1_000_000_000;

    /// <param name="wanExists">false while PPPoE has no session: its PPP interface (the WAN
    /// egress) does not exist yet, and its tree follows when the session comes up.</param>
    public static TcPlan Render(DesiredState state, LeafQdisc leaf, bool wanExists = true)
    {
        var q = state.Qos;
        var b = new StringBuilder("# Generated by routerd: the VIP lane's queues.\n");
        var devices = new List<string>();
        var redirects = new List<TcRedirect>();
        bool shaped = q.UploadKbit is not null || q.DownloadKbit is not null;
        string wan = WanInterfaces.Egress(state);
        if (shaped)
        {
            if (wanExists) Tree(b, devices, wan, q.UploadKbit ?? UnshapedKbit, leaf, q.UploadKbit is null ? "upload, not shaped" : "upload shaper");
            if (DownloadIfbFor(state) is { } ifb)
            {
                Download(ifb, $"download shaper for {state.Lan.Bridge} and the guest Wi-Fi");
                redirects.Add(Redirect(state.Lan.Bridge, ifb, "the LAN's downloads"));
                redirects.Add(Redirect(state.Wifi!.Guest!.Interface, ifb, "the guests' downloads (bulk unless marked)"));
            }
            else if (q.DownloadKbit is null) Tree(b, devices, state.Lan.Bridge, UnshapedKbit, leaf, "download, not shaped");
            else Download(state.Lan.Bridge, "download shaper");
        }
        else
        {
            if (wanExists) PortQueue(wan);
            foreach (var port in state.Lan.Ports)
                PortQueue(port);
        }
        // A protocol whose own frames leave on the port beside its tunnel (PPPoE's discovery and
        // LCP echoes) gets a tree there that puts them in the priority class too.
        if (Wan.WanProtocols.For(state.Wan.Mode).PortControl(state.Wan) is { } control)
        {
            Tree(b, devices, control.Device, UnshapedKbit, leaf, control.Why);
            b.Append(control.Filters);
        }
        return new TcPlan(devices, b.ToString(), shaped) { Redirects = redirects };

        void Download(string dev, string why)
        {
            if (DownloadIsCake(state, leaf)) CakeDownload(b, devices, dev, q.DownloadKbit!.Value, why);
            else Tree(b, devices, dev, q.DownloadKbit!.Value, leaf, why);
        }

        void PortQueue(string dev)
        {
            if (leaf == LeafQdisc.Fifo) Bands(b, devices, dev);
            else Tree(b, devices, dev, UnshapedKbit, leaf, PortWhy);
        }
    }

    /// <summary>Every packet leaving <paramref name="dev"/> goes through <paramref name="ifb"/>'s
    /// tree first. u32 matching nothing in particular, not matchall: matchall is missing from some
    /// kernels (our development hosts'), u32 is everywhere the mirred action is.</summary>
    static TcRedirect Redirect(string dev, string ifb, string what) => new(dev,
        $"# {dev}: {what}, through {ifb}'s tree\n" +
        $"qdisc add dev {dev} clsact\n" +
        $"filter add dev {dev} egress protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev {ifb}\n");

    const string PortWhy = "shaper off: priority at the port's own queue";

    /// <summary>The kernel's own three-band queue with our handle (the applier finds its roots by
    /// it): VIP packets (priority 1:6) go to band 0 and everything else to band 1, each band as
    /// long as the port's txqueuelen, like the default queue it replaces.</summary>
    static void Bands(StringBuilder b, List<string> devices, string dev)
    {
        devices.Add(dev);
        b.Append($"# {dev}: {PortWhy}, no AQM in this kernel: pfifo_fast's bands\n");
        b.Append($"qdisc add dev {dev} root handle 1: pfifo_fast\n");
    }

    static void Tree(StringBuilder b, List<string> devices, string dev, long kbit, LeafQdisc leaf, string why)
    {
        devices.Add(dev);
        // HTB serves every class still under its own rate before any class that borrows, whatever
        // their priorities: the lane is ahead of bulk only up to the lane's own rate. At half the
        // rate (as it was), a 1 Mbit/s video call on a 1.8 Mbit/s DSL upload (bench call) would
        // get 0.9 Mbit/s while busy devices keep bulk's half, and queue and lose the rest in its
        // own class. So the lane's rate is the whole rate less a tenth, which bulk keeps whatever
        // the lane does (a VIP device that uploads flat out cannot starve the others' connections
        // into timeouts), and less a twentieth for bare acknowledgements (NftRenderer.ControlTcp:
        // about 0.4 Mbit/s of them pace a 14 Mbit/s download), which borrow after the lane and
        // before bulk.
        long bulk = Math.Max(1, kbit / 10);
        long ack = Math.Max(1, kbit / 20);
        long vip = kbit - bulk - ack;
        // Those 0.4 Mbit/s are a sixth of a thin DSL upload (16/2 Mbit/s), and beside a call in the
        // lane the busy devices' uploads kept 0.5 Mbit/s of the 1.8. Where cake's ACK filter is
        // there, acknowledgements may take at most a tenth of the rate: past that they queue, and
        // the filter drops those a later one in the queue makes redundant (the sender learns the
        // same from the later one). bench call, 16/2, the phone's call in the lane, two rounds
        // each: the uploads' goodput 0.48 → 0.85 Mbit/s, the downloads' 11.3 → 11.7, the call's
        // download p99 7.4 → 6.1 ms; on 100/20 the same within the lab's noise. Without the filter
        // a cap would only delay them, so it is not set.
        long ackCeil = HasAckFilter(leaf) ? Math.Max(ack, kbit / 10) : kbit;
        // About 1 ms of traffic per burst: enough for HTB to keep the rate at high speeds, small
        // enough that a bulk burst never holds a VIP packet back noticeably.
        long burst = Math.Max(1600, kbit / 8);
        b.Append($"# {dev}: {why}, {kbit} kbit/s\n");
        b.Append($"qdisc add dev {dev} root handle 1: htb default 20\n");
        b.Append($"class add dev {dev} parent 1: classid 1:1 htb rate {kbit}kbit ceil {kbit}kbit quantum 1514 burst {burst} cburst {burst}\n");
        b.Append($"class add dev {dev} parent 1:1 classid {NftRenderer.VipClass} htb rate {vip}kbit ceil {kbit}kbit prio 0 quantum 1514 burst {burst} cburst {burst}\n");
        b.Append($"class add dev {dev} parent 1:1 classid {AckClass} htb rate {ack}kbit ceil {ackCeil}kbit prio 1 quantum 1514 burst {burst} cburst {burst}\n");
        b.Append($"class add dev {dev} parent 1:1 classid {BulkClass} htb rate {bulk}kbit ceil {kbit}kbit prio 2 quantum 1514 burst {burst} cburst {burst}\n");
        b.Append($"qdisc add dev {dev} parent {NftRenderer.VipClass} handle {LeafHandle(NftRenderer.VipClass)} {Leaf(leaf, kbit)}\n");
        b.Append($"qdisc add dev {dev} parent {AckClass} handle {LeafHandle(AckClass)} {AckLeaf(leaf, kbit)}\n");
        b.Append($"qdisc add dev {dev} parent {BulkClass} handle {LeafHandle(BulkClass)} {Leaf(leaf, kbit)}\n");
    }

    /// <summary>Whether the shaped download is one cake (<see cref="CakeDownload"/>): a download
    /// rate on a kernel with cake. The firewall then picks its tins (NftRenderer).</summary>
    public static bool DownloadIsCake(DesiredState state, LeafQdisc leaf) => leaf == LeafQdisc.Cake && state.Qos.DownloadKbit is not null;

    /// <summary>skb->priority values that pick the download cake's tins: its own handle (1:) and
    /// the tin's number plus one (`precedence` lists its eight tins from the lowest priority:
    /// 1:1 is tin 0, everyone's; 1:2 is tin 1, the lane's).</summary>
    public const string CakeBulkPriority = "1:1", CakeLanePriority = "1:2";

    /// <summary>The column of the lane's tin in tc's table of the cake's tins (Tin 0 ... Tin 7).</summary>
    public const int CakeLaneColumn = 1;

    /// <summary>The shaped download as one cake, where the kernel has it. The download's queue
    /// that matters is not the router's but the line's, upstream, which only the senders' backing
    /// off keeps empty. HTB passes at most its rate but never counts what the queue under it
    /// dropped, so TCP senders kept arriving faster than the line drains and the line's buffer
    /// filled in bursts: the call waited there, before the router, lane or not (bench call: the
    /// line's tbf throttled 1.1-2.3 times per packet under the tree, 0.01-0.08 under the OpenWrt
    /// peer's cake). cake's `ingress` mode counts dropped packets against its rate as if sent, so
    /// that everything that arrives, the lane's too, stays under the rate and the line's buffer
    /// empty. (The tree with such a cake under its bulk class only was not enough: the lane's
    /// traffic arrives outside that count, and the line throttled 0.6-0.7 times per packet.)
    ///
    /// A shaped cake serves, of the tins with packets, the highest one still within its own
    /// threshold rate, so a tin's threshold is how much of the rate it may take first, and a burst
    /// beyond it goes out paced at the threshold with other tins' packets between. The lane is tin
    /// 1 of `precedence`, whose threshold is seven eighths of the rate; everything else is tin 0,
    /// the whole rate and the lowest priority. Tried in the lab VM (bench call's 16/2 line, the
    /// call in the lane, three devices loading both ways): diffserv4's Voice tin (a quarter of the
    /// rate) paced the call's frames, bursts of five packets, with bulk packets between (11.6 ms
    /// at worst in the tin); diffserv3's Best Effort tin for the lane over its Bulk tin for the
    /// rest gave the call the same p99 (5.8-6.5 ms against 6.9-8.1) but the others a standing
    /// queue of 100-120 ms, as cake derives a tin's AQM target from its threshold (Bulk: a
    /// sixteenth of the rate, target 20 ms); tin 0 here keeps theirs at the target (5 ms, or on a
    /// thin line <see cref="CallFrameTimes"/>': 9 ms at 14.4 Mbit/s). The firewall picks
    /// the tin through skb->priority (<see cref="CakeLanePriority"/>, <see cref="CakeBulkPriority"/>),
    /// not the DSCP, which stays what the radio needs. `dual-dsthost` shares what is left between
    /// the LAN's devices first and their flows second, as the peer does.</summary>
    static void CakeDownload(StringBuilder b, List<string> devices, string dev, long kbit, string why)
    {
        devices.Add(dev);
        b.Append($"# {dev}: {why}, {kbit} kbit/s: cake, the lane in tin 1, everyone else in tin 0\n");
        b.Append($"qdisc add dev {dev} root handle 1: cake bandwidth {kbit}kbit precedence dual-dsthost ingress{CallFrameTimes(kbit)}\n");
    }

    /// <summary>The AQM's target on a thin download, where a call's frame outlasts cake's 5 ms. A
    /// video call sends each frame as a burst of packets (2 Mbit/s at 50 frames a second: five of
    /// 1,000 bytes), and under load cake puts everyone else's packets between them (tin 1 may take
    /// only seven eighths of the rate at once): about 11 KB through the shaper before the frame's
    /// last packet leaves, 6.3 ms at 14.4 Mbit/s. A tin whose packets wait past the target again
    /// and again has one dropped now and then: the call lost 1 of 2,505 packets at 13.6 Mbit/s
    /// (lab VM). So the target is the time 16 KB takes at the rate when that is over 5 ms (below
    /// about 26 Mbit/s; 9 ms at 14.4), for every tin, the interval 20 targets as cake's `rtt`
    /// sets them.</summary>
    static string CallFrameTimes(long kbit) => AqmTimes(kbit, "rtt {1}ms", 16_000);

    /// <summary>The AQM's target and interval at a thin rate. CoDel's 5 ms target assumes a packet
    /// takes far less than that to send; at 1.8 Mbit/s (a DSL upload) a full-size frame takes
    /// 6.7 ms, so a queue holding one bulk frame ahead of a call's packet already counts as
    /// standing, and the AQM drops call packets in the VIP class (bench call saw it). cake sets
    /// its target to 1.5 frame times itself when it shapes, but here it runs unlimited under
    /// HTB and does not know the rate: so the target is given, max(5 ms, 1.5 frame times at the
    /// tree's rate), with the interval 20 targets as in CoDel's defaults (cake's `rtt` sets both,
    /// target = rtt / 20). Above 3.6 Mbit/s the defaults stand and nothing is written.</summary>
    /// <param name="bytes">what must pass at the rate within the target (1.5 frames by default).</param>
    static string AqmTimes(long kbit, string format, double bytes = 1.5 * 1514)
    {
        double ms = bytes * 8 / kbit;
        if (ms <= 5) return "";
        long target = (long)Math.Ceiling(ms);
        return " " + string.Format(System.Globalization.CultureInfo.InvariantCulture, format, target, 20 * target);
    }

    /// <summary>A class's leaf qdisc is numbered after the class: 1:6 holds 6:.</summary>
    static string LeafHandle(string classId) => classId[(classId.IndexOf(':') + 1)..] + ":";

    /// <summary>The acknowledgements' queue: with cake, its ACK filter in the mode that keeps only
    /// the newest of a connection's redundant ones, and a 3 ms target (`rtt 60ms`) so they do not
    /// stand: a queue of them delays the downloads' clock, and the senders answer a late burst of
    /// acknowledgements with a burst that queues at the line, where no lane reaches (with the
    /// conservative filter and the thin line's 11 ms target, bench call's download call p99 went
    /// from 5-9 ms to 23 ms).</summary>
    static string AckLeaf(LeafQdisc leaf, long kbit) =>
        HasAckFilter(leaf) ? "cake unlimited besteffort ack-filter-aggressive rtt 60ms" : Leaf(leaf, kbit);

    /// <summary>Whether the acknowledgements' leaf filters them (<see cref="AckLeaf"/>): only then
    /// is their class capped, as a cap without the filter would only delay them.</summary>
    static bool HasAckFilter(LeafQdisc leaf) => leaf == LeafQdisc.Cake;

    static string Leaf(LeafQdisc leaf, long kbit) => leaf switch
    {
        // The HTB class above does the shaping: cake only schedules (flow isolation, AQM).
        LeafQdisc.Cake => "cake unlimited besteffort" + AqmTimes(kbit, "rtt {1}ms"),
        LeafQdisc.FqCodel => "fq_codel" + AqmTimes(kbit, "target {0}ms interval {1}ms"),
        // No AQM in this kernel and no shaping here: the queue forms only when the port itself is
        // full, at the port's own speed, which the plan does not know. pfifo without a limit
        // takes the port's txqueuelen, the length of the kernel's default queue there; 5 ms at
        // the nominal 1 Tbit/s would be 400,000 packets, seconds of delay on a congested port.
        _ when kbit == UnshapedKbit => "pfifo",
        // No AQM in this kernel: a short fifo, about 5 ms at the rate, keeps the standing queue short.
        _ => $"pfifo limit {Math.Max(16, kbit / 8 * 5 / 1514)}",
    };
}
