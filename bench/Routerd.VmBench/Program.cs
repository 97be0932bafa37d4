using Routerd.Bench;
using Routerd.Lab;

// The benchmarks that need the lab VM (the host kernel has no PPP and no radios):
//   pppoe [DIALS]  dial time by routerd vs. the same pppd options by hand, dead peer, recovery
//   wifi           settings change to association, VIP vs. non-VIP RTT over a busy radio
//   call [PROFILE...]  a video call on a thin line beside three busy devices: no shaping, the
//                  OpenWrt peer's cake, routerd's shaper, the lane (profiles adsl, cable; both by
//                  default; CALL_ROUNDS, CALL_SECONDS and CALL_FASTPATH_ROUNDS from the
//                  environment, 1, 15 and 5 by default)
//   upgrade IMAGE BUNDLE  the x86-64 image in QEMU (not the lab VM): the forwarding interruption of an
//                  upgrade through the web API against a plain reboot, the fall-back from a broken
//                  update, the upgrade's total time and the owner's settings after it (IMAGE and
//                  its release BUNDLE from image/build-image.sh)
// Each boots the VM once for its script under bench/, prints a table and writes
// bench/results/<name>.json. Under software emulation the seconds are slow; the ratios matter.
Report? report;
switch (args)
{
    case ["pppoe"]: report = PppoeBench.Run(10); break;
    case ["pppoe", var n] when int.TryParse(n, out int dials) && dials > 0: report = PppoeBench.Run(dials); break;
    case ["wifi"]: report = WifiBench.Run(); break;
    case ["call-from", var dir, var seconds, .. var profiles] when Directory.Exists(dir) && int.TryParse(seconds, out int s):
        // The results directory of a kept run (ROUTERD_VM_KEEP=1), analysed again.
        report = CallBench.Analyse(new Figures(dir), profiles.Length == 0 ? ["adsl", "cable"] : profiles, EnvInt("CALL_ROUNDS", 1), s);
        break;
    case ["call", .. var profiles] when profiles.All(p => p is "adsl" or "cable"):
        report = CallBench.Run(profiles.Length == 0 ? ["adsl", "cable"] : profiles,
            EnvInt("CALL_ROUNDS", 1), EnvInt("CALL_SECONDS", 15), EnvInt("CALL_FASTPATH_ROUNDS", 5, allowZero: true));
        break;
    case ["upgrade", var image, var bundle]:
        try { report = UpgradeBench.Run(image, bundle); }
        catch (Exception e)
        {
            Console.Error.WriteLine($"bench upgrade FAILED: {e.Message}");
            report = null;
        }
        break;
    default:
        Console.Error.WriteLine("usage: Routerd.VmBench pppoe [DIALS] | wifi | call [adsl|cable...] | call-from RESULTS-DIR CALL-SECONDS [adsl|cable...] | upgrade IMAGE BUNDLE");
        return 2;
}
if (report is null) return 1; // the script or a step failed; its log is above
report.Print(Console.Out);
Console.WriteLine($"written: {report.Write(Path.Combine(RouterdCommand.RepoRoot(), "bench", "results"))}");
return 0;

static int EnvInt(string name, int fallback, bool allowZero = false) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), out int v) && (v > 0 || allowZero && v == 0) ? v : fallback;
