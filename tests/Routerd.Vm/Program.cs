using System.Runtime.InteropServices;
using Routerd.Vm;

// `Routerd.Vm run [--routerd PATH] [--keep] SCENARIO.sh...`: one boot, the scenarios in order,
// a line per scenario and the log of each that failed. `Routerd.Vm build`: only the artifacts.
const string Usage = "usage: Routerd.Vm run [--routerd PATH-TO-AOT-routerd] [--keep] [--env NAME=VALUE]... SCENARIO.sh...\n" +
                     "       Routerd.Vm build    build (or find) the kernel, initramfs and root image; print their directory\n" +
                     "       Routerd.Vm image-boot x86-64|rpi4 IMAGE.img   boot a built image in the lab once; print its status line\n" +
                     "       Routerd.Vm power-cuts N [--routerd PATH] [--out FILE]   N power cuts during settings changes; key=value figures";
void Log(string m) => Console.Error.WriteLine($"vm: {m}");

if (args is ["build"])
{
    try { Console.WriteLine(VmArtifacts.Ensure(Log).Directory); return 0; }
    catch (Exception e) { Log(e.Message); return 1; }
}
if (args is ["image-boot", var board, var image] && board is "x86-64" or "rpi4")
{
    // One boot of a built image in the lab, for the image benchmark: prints the status line's
    // fields and the wall time from QEMU's start.
    try
    {
        var (status, wall) = await ImageBoot.Once(board, Path.GetFullPath(image), Log, TimeSpan.FromSeconds(600));
        Console.WriteLine(string.Join(' ', status.Select(kv => $"{kv.Key}={kv.Value}")) + $" wall={wall.TotalSeconds:0.0}");
        return 0;
    }
    catch (Exception e) { Log(e.Message); return 1; }
}
if (args is ["power-cuts", var count, .. var rest] && int.TryParse(count, out int cuts) && cuts >= 0)
{
    // Power cuts for `bench hardening`: key=value lines (appended to --out FILE, else stdout).
    string bin = VmRunOptions.DefaultRouterd();
    string? outFile = null;
    for (int i = 0; i + 1 < rest.Length; i += 2)
    {
        if (rest[i] == "--routerd") bin = Path.GetFullPath(rest[i + 1]);
        else if (rest[i] == "--out") outFile = rest[i + 1];
    }
    try
    {
        var r = PowerCuts.Run(cuts, bin, Log);
        Log(r.Summary());
        foreach (var problem in r.Problems) Log(problem);
        string lines = $"power_cuts={r.Cuts}\npower_cut_acks={r.Acks}\npower_cut_lost_acks={r.LostAcks}\npower_cut_failed_boots={r.FailedBoots}\n" +
            $"power_cut_during_start={r.CutsDuringStart}\npower_cut_seconds={r.Elapsed.TotalSeconds:0}\n";
        if (outFile is null) Console.Write(lines);
        else File.AppendAllText(outFile, lines);
        return 0;
    }
    catch (Exception e) when (e is VmUnavailableException or InvalidOperationException or IOException)
    {
        Log(e.Message);
        return 1;
    }
}
if (args.Length < 2 || args[0] != "run")
{
    Console.Error.WriteLine(Usage);
    return 2;
}
string routerd = VmRunOptions.DefaultRouterd();
bool keep = false;
var env = new Dictionary<string, string>();
var scenarios = new List<string>();
for (int i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--routerd" when i + 1 < args.Length: routerd = Path.GetFullPath(args[++i]); break;
        case "--keep": keep = true; break;
        case "--env" when i + 1 < args.Length && args[i + 1].Contains('='):
            var kv = args[++i].Split('=', 2);
            env[kv[0]] = kv[1];
            break;
        case var a when a.StartsWith("--", StringComparison.Ordinal): Console.Error.WriteLine(Usage); return 2;
        default: scenarios.Add(args[i]); break;
    }
}

// Ctrl-C: QEMU's guard sees our end of its pipe close when we exit, and kills it.
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Log("interrupted: stopping the guest"));
try
{
    using var result = LabVm.Run(new VmRunOptions { Scenarios = scenarios, Routerd = routerd, Keep = keep, Environment = env, Log = Log });
    foreach (var s in result.Scenarios.Where(s => !s.Passed)) Console.Error.WriteLine(result.Explain(s.Name));
    return result.Scenarios.All(s => s.Passed) ? 0 : 1;
}
catch (Exception e) when (e is VmUnavailableException or ArgumentException or InvalidOperationException)
{
    Log(e.Message);
    return 1;
}
