namespace Routerd.Bench;

/// <summary>`./build.sh bench wifi`: a settings change through the API until a client holding the
/// new key is associated, against the same hostapd.conf started by hand; and the phone's ping RTT
/// over a busy radio with and without the VIP lane, from bench/wifi/wifi-bench.sh (whose header
/// says how the radio is made the bottleneck).</summary>
static class WifiBench
{
    public static Report? Run()
    {
        var f = VmScript.Run(Path.Combine("bench", "wifi", "wifi-bench.sh"));
        if (f is null) return null;
        var r = new Report("wifi");
        r.Add("apply_to_assoc_s", "settings change → associated (median of 3)", f.Number("apply_to_assoc_s"), "s", Target.Max(10));
        r.Add("hand_to_assoc_s", "hostapd by hand → associated (median of 3)", f.Number("hand_to_assoc_s"), "s");
        r.Add("apply_ratio", "routerd / by hand", f.Number("apply_ratio"), "", Target.Max(1.2));
        r.Add("rtt_p50_ms", "phone's RTT over the busy radio, not VIP (p50)", f.Number("rtt_p50_ms"), "ms");
        r.Add("vip_rtt_p50_ms", "the same, VIP (p50)", f.Number("vip_rtt_p50_ms"), "ms");
        r.Add("vip_rtt_ratio", "not VIP / VIP", f.Number("vip_rtt_ratio"), "", Target.Min(3));
        r.Add("shaper_rtt_p50_ms", "with routerd's shaper as the bottleneck, not VIP (p50)", f.Number("shaper_rtt_p50_ms"), "ms");
        r.Add("shaper_vip_rtt_p50_ms", "the same, VIP (p50)", f.Number("shaper_vip_rtt_p50_ms"), "ms");
        r.Add("shaper_vip_rtt_ratio", "not VIP / VIP, shaper as the bottleneck", f.Number("shaper_vip_rtt_ratio"), "");
        r.Detail("conditions", "lab VM under software emulation (TCG), mac80211_hwsim radios");
        return r;
    }
}
