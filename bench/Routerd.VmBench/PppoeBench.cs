using System.Globalization;

namespace Routerd.Bench;

/// <summary>`./build.sh bench pppoe`: dial time by routerd vs. the same pppd options by hand
/// (medians of DIALS each, and their ratio), dead-peer detection and recovery after the server
/// returns, from bench/pppoe/pppoe.sh.</summary>
static class PppoeBench
{
    public static Report? Run(int dials)
    {
        var f = VmScript.Run(Path.Combine("bench", "pppoe", "pppoe.sh"),
            new Dictionary<string, string> { ["DIALS"] = dials.ToString(CultureInfo.InvariantCulture) });
        if (f is null) return null;
        var hand = f.Numbers("hand_dials");
        var routerd = f.Numbers("routerd_dials");
        double handP50 = Stats.Median(hand), routerdP50 = Stats.Median(routerd);

        var r = new Report("pppoe");
        r.Add("dial_p50_hand_s", $"dial, pppd by hand (median of {dials})", handP50, "s");
        r.Add("dial_p50_routerd_s", $"dial, routerd told to connect (median of {dials})", routerdP50, "s");
        r.Add("dial_ratio", "dial time, routerd / by hand", routerdP50 / handP50, "", Target.Max(1.1));
        r.Add("dead_peer_s", "server gone → wan/PEER_DEAD", f.Number("dead_peer_s"), "s", Target.Max(15));
        r.Add("recover_s", "server back → wan/UP", f.Number("recover_s"), "s", Target.Max(10));
        r.Detail("dials", dials);
        r.Detail("hand_dials_s", Report.Samples(hand, 2)); // the script writes hundredths
        r.Detail("routerd_dials_s", Report.Samples(routerd, 2));
        r.Detail("conditions", "lab VM under software emulation (TCG): the seconds are slow, the ratio is the point");
        return r;
    }
}
