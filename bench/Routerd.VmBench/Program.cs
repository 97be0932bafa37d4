using Routerd.Bench;
using Routerd.Lab;

// The benchmarks that need the lab VM (the host kernel has no PPP and no radios):
//   pppoe [DIALS]  dial time by routerd vs. the same pppd options by hand, dead peer, recovery
//   wifi           settings change to association, VIP vs. non-VIP RTT over a busy radio
// Each boots the VM once for its script under bench/, prints a table and writes
// bench/results/<name>.json. Under software emulation the seconds are slow; the ratios matter.
Report? report;
switch (args)
{
    case ["pppoe"]: report = PppoeBench.Run(10); break;
    case ["pppoe", var n] when int.TryParse(n, out int dials) && dials > 0: report = PppoeBench.Run(dials); break;
    case ["wifi"]: report = WifiBench.Run(); break;
    default:
        Console.Error.WriteLine("usage: Routerd.VmBench pppoe [DIALS] | wifi");
        return 2;
}
if (report is null) return 1; // the script failed; its log is above
report.Print(Console.Out);
Console.WriteLine($"written: {report.Write(Path.Combine(RouterdCommand.RepoRoot(), "bench", "results"))}");
return 0;
