using System.Runtime.InteropServices;
using Routerd.Bench;
using Routerd.Lab;

// `Routerd.Bench core|vip|forward|ipv6|hardening [--routerd PATH] [--arm64 PATH] [--results DIR]`, run by
// `./build.sh bench NAME`: prints a table, writes DIR/NAME.json. Needs root.
const string Usage = "usage: Routerd.Bench core|vip|forward|ipv6|hardening [--routerd AOT-BINARY] [--arm64 AOT-BINARY] [--results DIR] [--unit FILE] [--start-only] [--adds-only] [--load-only]";
string root = RouterdCommand.RepoRoot();
string routerd = Path.Combine(root, RouterdCommand.AotRelative);
string arm64 = Path.Combine(root, "artifacts/bin/routerd-linux-arm64/routerd");
string results = Path.Combine(root, "bench/results");
string? unit = null;
bool startOnly = false, addsOnly = false, loadOnly = false;
if (args.Length == 0 || args[0] is not ("core" or "vip" or "forward" or "ipv6" or "hardening"))
{
    Console.Error.WriteLine(Usage);
    return 2;
}
for (int i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--routerd" when i + 1 < args.Length: routerd = Path.GetFullPath(args[++i]); break;
        case "--arm64" when i + 1 < args.Length: arm64 = Path.GetFullPath(args[++i]); break;
        case "--results" when i + 1 < args.Length: results = Path.GetFullPath(args[++i]); break;
        case "--unit" when i + 1 < args.Length: unit = Path.GetFullPath(args[++i]); break;
        case "--start-only" when args[0] == "core": startOnly = true; break;
        case "--adds-only" when args[0] == "forward": addsOnly = true; break;
        case "--load-only" when args[0] == "hardening": loadOnly = true; break;
        default: Console.Error.WriteLine(Usage); return 2;
    }
}

// Ctrl-C, kill or a closed terminal: exit through ProcessExit, where every lab removes its
// namespaces and processes (Lab registers for it before it builds anything).
bool stopping = false;
void Stop(PosixSignalContext ctx)
{
    ctx.Cancel = true;
    stopping = true;
    Console.Error.WriteLine("bench: stopping: removing the lab");
    Environment.Exit(130);
}
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

var options = new BenchOptions(routerd, arm64, results, startOnly, addsOnly, loadOnly);
try
{
    var report = args[0] switch
    {
        "core" => await CoreBench.Run(options),
        "hardening" => await HardeningBench.Run(options, unit),
        "forward" => await ForwardBench.Run(options),
        "ipv6" => await Ipv6Bench.Run(options),
        _ => await VipBench.Run(options),
    };
    report.Print(Console.Out);
    Console.WriteLine($"written: {report.Write(results)}");
    return 0;
}
catch (LabUnavailableException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
catch (Exception) when (stopping)
{
    // The lab is being torn down under the benchmark's feet; the exit code says why.
    Thread.Sleep(Timeout.Infinite);
    return 130;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or HttpRequestException)
{
    Console.Error.WriteLine($"bench {args[0]} failed: {e.Message}");
    return 1;
}
