using System.Runtime.InteropServices;
using Routerd.Lab;

// `Routerd.Lab up [--routerd PATH] [--port N]`: builds the lab, starts routerd, waits for the
// clients' leases, shows what is where and keeps it all up until Ctrl-C; then removes it.
const string Usage = "usage: Routerd.Lab up [--routerd PATH-TO-routerd-OR-routerd.dll] [--port LOOPBACK-PORT]\n" +
                     "       Routerd.Lab sweep    remove what labs of processes that died left behind";
if (args is ["sweep"])
{
    StaleLabSweep.Run(m => Console.Error.WriteLine($"lab: {m}"));
    return 0;
}
if (args.Length == 0 || args[0] != "up")
{
    Console.Error.WriteLine(Usage);
    return 2;
}
var routerd = RouterdCommand.Default();
int port = 8080;
for (int i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--routerd" when i + 1 < args.Length: routerd = RouterdCommand.FromPath(args[++i]); break;
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], out port): i++; break;
        default: Console.Error.WriteLine(Usage); return 2;
    }
}

// Ctrl-C, kill and a closed terminal all end up here; the processes the lab started are in
// their own sessions, so the signal reaches only us and we tear down in order.
var stop = new TaskCompletionSource();
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
void Stop(PosixSignalContext ctx)
{
    ctx.Cancel = true;
    stop.TrySetResult();
}

Lab lab;
try
{
    lab = Lab.Create(new LabOptions { Routerd = routerd, RelayPort = port, Log = m => Console.Error.WriteLine($"lab: {m}") });
}
catch (LabUnavailableException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
using (lab)
{
    var leases = lab.WaitForLeases(TimeSpan.FromSeconds(60));
    await Task.WhenAny(leases, stop.Task);
    if (stop.Task.IsCompleted) return 130;
    if (!leases.IsCompletedSuccessfully)
    {
        Console.Error.WriteLine($"lab: the clients got no lease: {leases.Exception?.InnerException?.Message}");
        Console.Error.WriteLine($"lab: process output is in {lab.OutputDir} (removed on exit)");
        return 1;
    }
    LabPicture.Print(lab, port);
    // Wait for Ctrl-C, but say so and stop if routerd dies on its own.
    while (!stop.Task.IsCompleted)
    {
        await Task.WhenAny(stop.Task, Task.Delay(1000));
        if (lab.Routerd is { HasExited: true } r)
        {
            Console.Error.WriteLine($"lab: routerd exited with {r.ExitCode}; its output:\n{r.Output}");
            return 1;
        }
    }
    Console.Error.WriteLine("lab: stopping: removing every namespace and process of the lab");
}
Console.Error.WriteLine("lab: removed");
return 0;
