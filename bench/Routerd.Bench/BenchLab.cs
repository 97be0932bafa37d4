using System.Diagnostics;
using System.Text.Json.Nodes;
using Routerd.Lab;

namespace Routerd.Bench;

/// <summary>What both benchmarks do with a lab: build it around the AOT routerd, wait until it
/// is a working router, and talk to routerd over its control socket.</summary>
sealed class BenchLab : IDisposable
{
    static readonly TimeSpan Ready = TimeSpan.FromSeconds(60);

    public Lab.Lab Lab { get; }
    public RouterdApi Api { get; private set; }
    /// <summary>The routerd binary under measurement.</summary>
    public string Routerd { get; }

    BenchLab(Lab.Lab lab, string routerd)
    {
        Lab = lab;
        Routerd = routerd;
        Api = new RouterdApi(lab.ControlSocket);
    }

    public static BenchLab Create(BenchOptions options, bool startRouterd = true, IReadOnlyList<string>? routerdArgs = null) =>
        new(global::Routerd.Lab.Lab.Create(new LabOptions
        {
            Routerd = RouterdCommand.FromPath(options.Routerd),
            StartRouterd = startRouterd,
            RouterdArgs = routerdArgs ?? [],
            Log = m => Console.Error.WriteLine($"lab: {m}"),
        }), options.Routerd);

    /// <summary>routerd answers, its WAN has an address, phone and laptop have leases.</summary>
    public async Task WaitUntilRouting()
    {
        await Lab.WaitFor(async () => (await Api.GetJson("/api/status"))["wan"]?["address"] is not null, Ready, "routerd's WAN to get an address");
        await Lab.WaitForLeases(Ready);
    }

    /// <summary>Starts routerd and returns the milliseconds from its exec to its first HTTP
    /// answer on the control socket, and from starting the lab's launcher (setsid, ip netns
    /// exec) to the same answer. The launcher runs first and leaves a shell in the router's
    /// namespace waiting on a pipe; the clock starts when the shell is released to exec routerd,
    /// as a board's init would. The socket file is waited for through inotify, and a refused
    /// connect is retried after a millisecond: the waiting must not take CPU from routerd, which
    /// starts on both of the machine's two cores. (An earlier loop slept for 0.2 ms, which .NET
    /// rounds down to a yield: it kept one core busy.)</summary>
    public async Task<(double Exec, double WithLauncher)> StartRouterdTimed()
    {
        Api.Dispose();
        Api = new RouterdApi(Lab.ControlSocket);
        if (File.Exists(Lab.ControlSocket)) File.Delete(Lab.ControlSocket); // a stopped routerd's
        string runDir = Path.GetDirectoryName(Lab.ControlSocket)!;
        Directory.CreateDirectory(runDir); // before the first boot, for the watch; routerd sets its mode
        using var created = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(runDir, Path.GetFileName(Lab.ControlSocket));
        watcher.Created += (_, _) => created.Release();
        watcher.EnableRaisingEvents = true;
        var withLauncher = Stopwatch.StartNew();
        var process = Lab.StartRouterd(gated: true);
        while (!WaitsOnPipe(process.Pid))
        {
            if (process.HasExited || withLauncher.Elapsed > Ready)
                throw new InvalidOperationException($"the launcher's shell never waited for its go: {Lab.Describe()}");
            Thread.Sleep(1); // routerd is not running yet: this takes nothing from it
        }
        double launcher = withLauncher.Elapsed.TotalMilliseconds;
        var sw = Stopwatch.StartNew();
        process.Release();
        while (sw.Elapsed < Ready)
        {
            if (File.Exists(Lab.ControlSocket))
            {
                try
                {
                    // routerd answers once it has applied its settings; the request waits for that.
                    using var r = await Api.Get("/api/status");
                    if (r.IsSuccessStatusCode) return (sw.Elapsed.TotalMilliseconds, launcher + sw.Elapsed.TotalMilliseconds);
                }
                catch (HttpRequestException) { }
                Thread.Sleep(1); // bound but not yet listening
            }
            else
                await created.WaitAsync(TimeSpan.FromMilliseconds(50)); // the timeout only to notice an exit
            if (process.HasExited) throw new InvalidOperationException($"routerd exited at start: {Lab.Describe()}");
        }
        throw new TimeoutException($"routerd gave no HTTP answer within {Ready}: {Lab.Describe()}");
    }

    /// <summary>The process is a shell asleep in a pipe read: the gated launcher is ready.</summary>
    static bool WaitsOnPipe(int pid)
    {
        try
        {
            string? exe = File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: true)?.FullName;
            return exe is not null && Path.GetFileName(exe) is "dash" or "bash" or "sh"
                && File.ReadAllText($"/proc/{pid}/wchan").Contains("pipe_read", StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
    }

    public string InRouter(string command) => Lab.RunIn(Lab.RouterNs, command).EnsureOk().Stdout;

    /// <summary>The router's WAN address, without its prefix length.</summary>
    public string WanIp() => Lab.WanAddress()?.Split('/')[0] ?? throw new InvalidOperationException("the WAN has no address");

    /// <summary>Stops routerd and removes its ruleset (which outlives it, as a router's firewall
    /// should) and its queues: the router's namespace then forwards as the bare kernel does,
    /// for a set-up that measures something else there.</summary>
    public void StopRouterdAndClear()
    {
        Lab.StopRouterd();
        InRouter("nft delete table inet routerd");
        RemoveQueues();
    }

    /// <summary>The ports get their default qdisc back (a veth's is none).</summary>
    public void RemoveQueues()
    {
        string[] ports = ["wan0", .. Lab.Clients.Select(c => c.RouterPort)];
        InRouter(string.Join("; ", ports.Select(p => $"tc qdisc del dev {p} root 2>/dev/null")) + "; true");
    }

    /// <summary>(Re)starts routerd and waits until it routes with its ruleset and queues back.
    /// Routing is back then, but the start is still settling (dnsmasq and udhcpc have just
    /// started, udhcpc's hook reports the lease): <paramref name="settle"/> more before routerd
    /// is measured as it runs.</summary>
    public async Task RestartRouterd(TimeSpan settle)
    {
        if (Lab.Routerd is not null) Lab.StopRouterd();
        await StartRouterdTimed();
        await WaitUntilRouting();
        await Lab.WaitFor(() => Lab.RunIn(Lab.RouterNs, "nft list table inet routerd >/dev/null && tc qdisc show dev wan0 | grep -q ' 1: root'").Ok,
            TimeSpan.FromSeconds(20), "routerd to put its ruleset and queues back");
        await Task.Delay(settle);
    }

    public async Task Put(string path, JsonNode body)
    {
        using var r = await Api.Put(path, body);
        if (!r.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT {path} → {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
    }

    public void Dispose()
    {
        Api.Dispose();
        Lab.Dispose();
    }
}

/// <summary>The command line: which routerd binaries to measure and where results go.</summary>
/// <param name="StartOnly">`core --start-only`: start times and idle RSS alone, for comparing
/// builds of other commits (which may lack the arm64 binary) interleaved on a quiet host.</param>
/// <param name="AddsOnly">`forward --adds-only`: the add of one forward and the full apply alone,
/// without the connection rounds (minutes), for comparing builds interleaved.</param>
/// <param name="LoadOnly">`hardening --load-only`: the 250 clients' load alone (hardening-load.json).</param>
sealed record BenchOptions(string Routerd, string? Arm64, string ResultsDir, bool StartOnly = false, bool AddsOnly = false, bool LoadOnly = false);
