using System.Globalization;
using System.Text.Json.Nodes;

namespace Routerd.Bench;

/// <summary>`./build.sh bench call` (issue 21): the phone's video call on a thin line shared with
/// three busy devices, with no shaping (fifo), the OpenWrt peer's layer_cake (cake), routerd's
/// shaper (shaper) and the phone in routerd's lane (vip), from bench/call/call-bench.sh (whose
/// header says how the line and the load are made).</summary>
static class CallBench
{
    static readonly string[] Configs = ["fifo", "cake", "shaper", "vip"];
    static readonly string[] Directions = ["up", "down"];
    const int CallUpBps = 1_000_000, CallDownBps = 2_000_000;

    /// <summary>An Ethernet frame of the largest size, in bits: what a call packet may wait behind
    /// once it is on the wire (it cannot be pre-empted).</summary>
    const double MtuBits = 1514 * 8;

    public static Report? Run(IReadOnlyList<string> profiles, int rounds, int callSeconds, int fastpathRounds)
    {
        var f = VmScript.Run(Path.Combine("bench", "call", "call-bench.sh"), new Dictionary<string, string>
        {
            ["PROFILES"] = string.Join(' ', profiles),
            ["ROUNDS"] = rounds.ToString(CultureInfo.InvariantCulture),
            ["CALL_S"] = callSeconds.ToString(CultureInfo.InvariantCulture),
            ["FASTPATH_ROUNDS"] = fastpathRounds.ToString(CultureInfo.InvariantCulture),
        });
        return f is null ? null : Analyse(f, profiles, rounds, callSeconds);
    }

    /// <summary>The table from the figures of a run (a fresh one, or a kept results directory
    /// read again: `call-from DIR`).</summary>
    public static Report Analyse(Figures f, IReadOnlyList<string> profiles, int rounds, int callSeconds)
    {
        var r = new Report("call");
        var vipGoodput = new List<double>();
        foreach (var p in profiles)
            foreach (var dir in Directions)
                vipGoodput.Add(Direction(r, f, p, dir, callSeconds));
        r.Add("goodput_ratio_vip", "goodput (call + bulk) / shaped rate, vip, lowest of the directions",
            vipGoodput.Min(), "", Target.Min(0.9));
        r.Add("capacity_up_mbit", "the VM's forwarding with no line and no shaper, uploads", f.Number("capacity_up"), "Mbit/s");
        r.Add("capacity_down_mbit", "the same, downloads", f.Number("capacity_down"), "Mbit/s");
        if (f.Has("nat_routerd") && f.Has("nat_kernel") && f.Has("nat_flowtable"))
        {
            // Bytes through the WAN port both ways (bench/call/call-bench.sh): what the CPU forwarded.
            List<double> routerdWindows = f.Numbers("nat_routerd"), kernelWindows = f.Numbers("nat_kernel");
            double routerd = Stats.Median(routerdWindows), kernel = Stats.Median(kernelWindows), flowtable = Stats.Median(f.Numbers("nat_flowtable"));
            r.Add("nat_routerd_mbit", "forwarding, routerd's ruleset without its flowtable (WAN port both ways, median of 2 s windows)", routerd, "Mbit/s");
            r.Add("nat_kernel_mbit", "forwarding, conntrack + masquerade alone (the same)", kernel, "Mbit/s");
            r.Add("nat_flowtable_mbit", "forwarding, routerd with its own flowtable, shaper off (median of its runs)", flowtable, "Mbit/s");
            // Each pair of windows a few seconds apart under one load: the VM's speed drifts from
            // second to second, by more than the ruleset costs.
            var ratios = routerdWindows.Zip(kernelWindows, (a, b) => a / b).ToList();
            r.Add("ruleset_vs_kernel_nat", "routerd's ruleset / conntrack + masquerade alone (median of the window pairs' ratios)", Stats.Median(ratios), "", Target.Min(0.97));
            r.Detail("ruleset_vs_kernel_nat_pairs", Report.Samples(ratios, 3));
            // The flowtable's runs come before, under loads of their own: these two ratios compare
            // minutes apart, not seconds.
            r.Add("flowtable_goodput_ratio", "with a flowtable / without (routerd's ruleset; separate loads)", flowtable / routerd, "");
            // What an owner with nothing shaped runs: the flowtable against kernel NAT alone.
            r.Add("flowtable_vs_kernel_nat", "routerd as it runs unshaped (its flowtable) / conntrack + masquerade alone (separate loads)", flowtable / kernel, "");
            r.Detail("flowtable_offloaded", f.Number("flowtable_offloaded"));
            r.Detail("flowtable_note", "the flowtable is routerd's own (rendered with the shaper off, on the WAN port and every LAN port; VIP devices' connections kept out); the slow path is the same ruleset with the flowtable and its one offload rule taken out by sed");
        }
        r.Detail("rounds", rounds);
        r.Detail("call_seconds", callSeconds);
        r.Detail("call", "UDP both ways, 50 frames/s, each frame a burst of packets of at most 1200 B (up 1 Mbit/s: 3 × 833 B; down 2 Mbit/s: 5 × 1000 B), unmarked (DSCP 0); one-way delay per packet on the guest's one clock (kernel receive timestamps)");
        r.Detail("load", "three LAN devices, each 4 TCP uploads and 4 downloads (iperf3, cubic) to the ISP host");
        r.Detail("line", "each direction a tbf at the line rate with a 200 ms FIFO (the modem's buffer); routerd's shaper and the peer's cake at 90 % of the line rate");
        r.Detail("fifo_download_note", "with no shaping the downloads' acknowledgements wait in the full upload FIFO (200 ms) too, so the download senders are held back and the download FIFO stays far from full: fifo's download delays are those of an ACK-starved line (tens of ms), not of its 200 ms buffer");
        r.Detail("delay_figures", "added delay = loaded percentile − the same percentile of the same call alone in the same configuration; jitter = p99 of the change in delay between consecutive packets; loss over all packets sent");
        r.Detail("conditions", "lab VM under software emulation (TCG), 2 vCPUs on a shared 2-core host");
        return r;
    }

    /// <summary>One profile and direction: the rows of every configuration. Returns vip's goodput share.</summary>
    static double Direction(Report r, Figures f, string p, string dir, int callSeconds)
    {
        double shapedKbit = f.Number($"{p}_{dir}_shaped_kbit");
        double floor = MtuBits / shapedKbit; // bits / (kbit/s) = ms
        string name = $"{p} {(dir == "up" ? "upload" : "download")}";
        r.Add($"{p}_{dir}_floor_ms", $"{name}: one MTU at the shaped rate (the floor)", floor, "ms");
        var added = new Dictionary<string, double>();
        var loss = new Dictionary<string, double>();
        double vipGoodput = 0;
        foreach (var c in Configs)
        {
            string key = $"{p}_{c}";
            var idle = f.Numbers($"{key}_idle_{dir}.delays");
            var loaded = f.Numbers($"{key}_loaded_{dir}.delays");
            double sent = f.Numbers($"{key}_loaded_{dir}.sent").Sum(), recv = f.Numbers($"{key}_loaded_{dir}.recv").Sum();
            loss[c] = sent == 0 ? 1 : 1 - recv / sent;
            added[c] = loaded.Count == 0 ? double.NaN : Stats.Percentile(loaded, 99) - Stats.Percentile(idle, 99);
            // The bulk goodput is averaged over CALL_S + 6 s (loaded_call in guest/call-lib.sh),
            // of which the call ran CALL_S: its share of the same window.
            double callMbit = (dir == "up" ? CallUpBps : CallDownBps) / 1e6 * (1 - loss[c]) * callSeconds / (callSeconds + 6);
            double goodput = (Stats.Median(f.Numbers($"{key}_loaded_{dir}.mbit")) + callMbit) / (shapedKbit / 1000);
            if (c == "vip") vipGoodput = goodput;

            Target? p99Target = null, lossTarget = null;
            if (c == "vip")
            {
                p99Target = Target.Max(floor + 1);
                lossTarget = Target.Max(0);
            }
            r.Add($"{p}_{dir}_call_p50_ms_{c}", $"{name}, {c}: call delay added, p50", loaded.Count == 0 ? double.NaN : Stats.Median(loaded) - Stats.Median(idle), "ms");
            r.Add($"{p}_{dir}_call_p99_ms_{c}", $"{name}, {c}: call delay added, p99", added[c], "ms", p99Target);
            r.Add($"{p}_{dir}_call_jitter_p99_ms_{c}", $"{name}, {c}: call jitter, p99", Jitter(loaded), "ms");
            r.Add($"{p}_{dir}_call_loss_{c}", $"{name}, {c}: call packets lost", loss[c], "", lossTarget);
            r.Add($"{p}_{dir}_goodput_ratio_{c}", $"{name}, {c}: goodput (call + bulk) / shaped rate", goodput, "");
            r.Detail($"{p}_{dir}_idle_ms_{c}", new JsonObject
            {
                ["p50"] = Math.Round(Stats.Median(idle), 3),
                ["p99"] = Math.Round(Stats.Percentile(idle, 99), 3),
            });
        }
        // Where per-host fairness starves the call (the thin upload), the lane must do clearly better.
        if (p == "adsl" && dir == "up")
        {
            r.Add("adsl_up_vip_vs_cake_p99", "adsl upload: vip p99 added / cake p99 added", added["vip"] / added["cake"], "", Target.Max(0.5));
            r.Add("adsl_up_vip_minus_cake_loss", "adsl upload: vip loss − cake loss", loss["vip"] - loss["cake"], "", Target.Max(loss["cake"] > 0 ? -1e-9 : 0));
        }
        return vipGoodput;
    }

    /// <summary>p99 of the change in one-way delay from one packet to the next (in arrival order).</summary>
    static double Jitter(List<double> delays) =>
        delays.Count < 2 ? double.NaN : Stats.Percentile(delays.Zip(delays.Skip(1), (a, b) => Math.Abs(b - a)).ToList(), 99);
}
