using System.Text.Json.Nodes;

namespace Routerd.Lab;

/// <summary>
/// The router in network namespaces, as tests, benchmarks and `./build.sh lab` use it:
/// <code>
///  &lt;p&gt;-isp: isp0 203.0.113.1/24, dnsmasq (WAN DHCP+DNS), internet host 198.51.100.10 on lo (http, whoami, iperf3)
///       │ veth
///  &lt;p&gt;-rtr:  wan0 ── routerd ── br-lan (made by routerd) ── lan1, lan2
///                                                         │ veth   │ veth
///                                          &lt;p&gt;-phone eth0        &lt;p&gt;-laptop eth0   (udhcpc)
/// </code>
/// Everything is created inside namespaces the lab owns; Dispose removes all of it, and the next
/// lab sweeps up after one whose process died (<see cref="StaleLabSweep"/>).
/// </summary>
public sealed class Lab : IDisposable
{
    static int created;

    readonly LabOptions options;
    readonly List<string> namespaces = [];
    readonly List<LabProcess> services = [];
    readonly Dictionary<LabClient, LabProcess> dhcpClients = [];
    int disposed;

    /// <summary>rdlab&lt;pid&gt;&lt;letter&gt;: unique per process and per lab within it.</summary>
    public string Prefix { get; }
    public string IspNs => $"{Prefix}-isp";
    public string RouterNs => $"{Prefix}-rtr";
    public LabClient Phone { get; }
    public LabClient Laptop { get; }
    public IReadOnlyList<LabClient> Clients => [Phone, Laptop];

    /// <summary>The lab's temp dir: board file, routerd's state/run/log dirs, service files.</summary>
    public string Dir { get; }
    public string BoardFile => Path.Combine(Dir, "board.json");
    public string StateDir => Path.Combine(Dir, "state");
    public string RunDir => Path.Combine(Dir, "run");
    public string LogDir => Path.Combine(Dir, "log");
    /// <summary>routerd's HTTP API for local tools (the control socket).</summary>
    public string ControlSocket => Path.Combine(RunDir, "routerd.sock");
    /// <summary>Output of every process the lab started, one file each.</summary>
    public string OutputDir => Path.Combine(Dir, "output");
    string DhcpDir => Path.Combine(Dir, "dhcp");
    /// <summary>The file routerd's "reboot" command (the lab board's Tools.Reboot) touches.</summary>
    public string RebootMark => Path.Combine(Dir, "reboot-requested");

    public LabProcess? Routerd { get; private set; }

    Lab(LabOptions options)
    {
        this.options = options;
        char letter = (char)('a' + (Interlocked.Increment(ref created) - 1) % 26);
        Prefix = $"{StaleLabSweep.NamePrefix}{Environment.ProcessId}{letter}";
        Dir = Path.Combine(Path.GetTempPath(), Prefix);
        Phone = new LabClient("phone", $"{Prefix}-phone", "02:00:00:00:01:01", "lan1", options.PhoneHostname);
        Laptop = new LabClient("laptop", $"{Prefix}-laptop", "02:00:00:00:01:02", "lan2");
    }

    public static Lab Create(LabOptions options)
    {
        LabPrerequisites.Check(options.Routerd);
        StaleLabSweep.Run(options.Log);
        var lab = new Lab(options);
        AppDomain.CurrentDomain.ProcessExit += lab.OnProcessExit;
        try
        {
            lab.Build();
        }
        catch
        {
            lab.Dispose();
            throw;
        }
        return lab;
    }

    void Build()
    {
        foreach (var d in new[] { Dir, StateDir, RunDir, LogDir, OutputDir }) Directory.CreateDirectory(d);
        BuildNetwork();
        foreach (var (name, argv) in IspServices.Prepare(Path.Combine(Dir, "isp"), IspNs, options.IspLeaseTime)) Track(Start(name, argv));
        if (options.PppoeServer is { } pppoe) StartPppoeServer(pppoe);
        WriteBoard();
        if (options.StartRouterd) StartRouterd();
        foreach (var client in Clients)
        {
            bool dhcpcd = client == Laptop && options.LaptopDhcpcd;
            var p = Track(dhcpcd
                ? Start($"{client.Name}-dhcpcd", DhcpClient.PrepareDhcpcd(DhcpDir, client))
                : Start($"{client.Name}-udhcpc", DhcpClient.Prepare(DhcpDir, client)));
            dhcpClients[client] = p;
        }
        if (options.RelayPort > 0) StartRelay(options.RelayPort);
    }

    /// <summary>Starts the web relay and makes sure it holds its port: a port taken by something
    /// else must stop the lab with a clear message, not leave a lab without its web UI.</summary>
    void StartRelay(int port)
    {
        var relay = Track(Start("web-relay", WebRelay.Command(port, Phone, LabAddresses.RouterLan, 80)));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!CommandResult.Run(["ss", "-Htln", $"sport = :{port}"], TimeSpan.FromSeconds(5)).Stdout.Contains($"127.0.0.1:{port}"))
        {
            if (relay.WaitForExit(TimeSpan.FromMilliseconds(100)) || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"the web relay could not listen on 127.0.0.1:{port} (in use? pick another with --port): {relay.Stderr}");
        }
    }

    void BuildNetwork()
    {
        options.Log($"creating namespaces {Prefix}-{{isp,rtr,phone,laptop}}");
        foreach (var ns in new[] { IspNs, RouterNs, Phone.Namespace, Laptop.Namespace })
        {
            Netns.Add(ns);
            namespaces.Add(ns);
        }
        // Each veth is created inside the router's namespace with its peer placed straight into
        // the other one: no interface ever appears in the root namespace, so names cannot clash.
        Netns.Ip("-n", RouterNs, "link", "add", "wan0", "type", "veth", "peer", "name", "isp0", "netns", IspNs).EnsureOk();
        foreach (var c in Clients)
        {
            Netns.Ip("-n", RouterNs, "link", "add", c.RouterPort, "type", "veth", "peer", "name", "eth0", "netns", c.Namespace).EnsureOk();
            Netns.Ip("-n", c.Namespace, "link", "set", "eth0", "address", c.Mac, "up").EnsureOk();
            // `ip netns exec` bind-mounts this over /etc/resolv.conf: names resolve through the router.
            Directory.CreateDirectory(Path.Combine("/etc/netns", c.Namespace));
            File.WriteAllText(Path.Combine("/etc/netns", c.Namespace, "resolv.conf"), $"nameserver {LabAddresses.RouterLan}\n");
        }
        // The router's own ports stay down: bringing them up is routerd's job, as on real hardware.
        Netns.Ip("-n", IspNs, "addr", "add", $"{LabAddresses.Isp}/{LabAddresses.IspPrefix}", "dev", "isp0").EnsureOk();
        Netns.Ip("-n", IspNs, "link", "set", "isp0", "up").EnsureOk();
        // The internet host's address sits on the ISP's loopback (the host kernel has no dummy
        // driver): traffic to it is delivered locally, so the ISP needs no forwarding.
        Netns.Ip("-n", IspNs, "addr", "add", $"{LabAddresses.InternetHost}/32", "dev", "lo").EnsureOk();
    }

    /// <summary>One more namespace of this lab, "{Prefix}-{<paramref name="name"/>}" (a host behind
    /// the ISP, say), removed with the lab like the others.</summary>
    public string AddNamespace(string name)
    {
        string ns = $"{Prefix}-{name}";
        Netns.Add(ns);
        namespaces.Add(ns);
        return ns;
    }

    /// <summary>The board routerd runs with: the lab's interface names and private directories
    /// (keys as in firmware/Routerd.Core/Settings/Board.cs).</summary>
    void WriteBoard()
    {
        var board = new JsonObject
        {
            ["Name"] = "lab",
            ["WanDevice"] = "wan0",
            ["LanPorts"] = new JsonArray(Clients.Select(c => (JsonNode)c.RouterPort).ToArray()),
            ["LanBridge"] = "br-lan",
            ["StateDir"] = StateDir,
            ["RunDir"] = RunDir,
            ["LogDir"] = LogDir,
            ["WebPort"] = 80,
            ["RollbackSeconds"] = options.RollbackSeconds,
            // Never the host's reboot: the web UI's reboot only leaves a mark the tests can see.
            ["Tools"] = new JsonObject { ["Reboot"] = $"/usr/bin/touch {RebootMark}" },
        };
        if (options.LoginThrottle is var (free, first, max))
            board["LoginThrottle"] = new JsonObject { ["FreeFailures"] = free, ["FirstDelaySeconds"] = first, ["MaxDelaySeconds"] = max };
        foreach (var (tool, path) in options.Tools)
            board["Tools"]![tool] = path;
        File.WriteAllText(BoardFile, board.ToJsonString(new() { WriteIndented = true }) + "\n");
    }

    /// <summary>Starts a PPPoE access concentrator on the ISP's side of the WAN cable; stop it
    /// (Dispose) to take the ISP's PPPoE away. It is stopped on Dispose of the lab at the latest.</summary>
    public LabProcess StartPppoeServer(PppoeServerOptions pppoe) =>
        Track(Start("isp-pppoe-server", pppoe.Command(IspNs, "isp0")));

    /// <summary>The command line that runs routerd in the router namespace with the lab's board.</summary>
    public string[] RouterdServeCommand() => ["ip", "netns", "exec", RouterNs, .. RouterdServe()];

    string[] RouterdServe() => [.. options.Routerd.Argv, "serve", "--board", BoardFile, .. options.RouterdArgs];

    /// <summary>Runs a routerd CLI verb (devices, priority, qos...) in the router namespace against the running routerd.</summary>
    public CommandResult RouterdVerb(params string[] verbAndArgs) =>
        CommandResult.Run(["ip", "netns", "exec", RouterNs, .. options.Routerd.Argv, .. verbAndArgs, "--board", BoardFile], TimeSpan.FromSeconds(30));

    /// <param name="gated">the namespace is entered, then a shell there waits for a line on its
    /// standard input (<see cref="LabProcess.Release"/>) and only then execs routerd: what comes
    /// after the release is routerd's own start, as a board's init would exec it, without the
    /// lab's launcher (setsid, ip netns exec).</param>
    public LabProcess StartRouterd(bool gated = false)
    {
        if (Routerd is { HasExited: false }) throw new InvalidOperationException("routerd is already running");
        Routerd?.Dispose();
        options.Log($"starting routerd in {RouterNs}: {options.Routerd.Binary}");
        return Routerd = gated
            ? Start("routerd", ["ip", "netns", "exec", RouterNs, "sh", "-c", "read -r _ && exec \"$@\"", "sh", .. RouterdServe()], keepStdin: true)
            : Start("routerd", RouterdServeCommand());
    }

    /// <summary>SIGTERM, then SIGKILL after a grace period in which routerd can tidy up.</summary>
    public void StopRouterd()
    {
        Routerd?.Stop(TimeSpan.FromSeconds(5));
        Routerd?.Dispose();
        Routerd = null;
    }

    /// <summary>SIGKILL to routerd alone, not to its process group: what a crash or the kernel's
    /// OOM killer does. Its children (dnsmasq, udhcpc, dhcpcd) run on as they would on a router;
    /// the next routerd has to deal with them. They are not stopped here (that would signal the
    /// group and take them with it) but at the lab's end, with the rest.</summary>
    public void KillRouterdAlone()
    {
        var killed = Routerd ?? throw new InvalidOperationException("routerd is not running");
        Posix.Kill(killed.Pid, Posix.SIGKILL);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Posix.IsAlive(killed.Pid) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        if (Posix.IsAlive(killed.Pid)) throw new InvalidOperationException($"routerd (pid {killed.Pid}) outlived SIGKILL");
        Track(killed);
        Routerd = null;
    }

    /// <summary>True while <paramref name="pid"/> runs; a zombie counts as dead.</summary>
    public static bool IsAlive(int pid) => Posix.IsAlive(pid);

    /// <summary>Runs a shell command inside <paramref name="ns"/> and waits for it.</summary>
    public CommandResult RunIn(string ns, string command, TimeSpan? timeout = null) =>
        CommandResult.Run(["ip", "netns", "exec", ns, "sh", "-c", command], timeout ?? TimeSpan.FromSeconds(20));

    /// <summary>Starts a shell command inside <paramref name="ns"/>; it is stopped on Dispose at the latest.</summary>
    public LabProcess StartIn(string ns, string command, string? name = null) =>
        Track(Start(name ?? command.Split(' ')[0], ["ip", "netns", "exec", ns, "sh", "-c", command]));

    /// <summary>The router's WAN address as "a.b.c.d/len", or null before its DHCP lease.</summary>
    public string? WanAddress() =>
        RunIn(RouterNs, "ip -4 -o addr show dev wan0").Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .SkipWhile(w => w != "inet").Skip(1).FirstOrDefault();

    public ClientLease? LeaseOf(LabClient client) => DhcpClient.ReadLease(DhcpDir, client);

    /// <summary>Makes the client's udhcpc renew its lease now (busybox: SIGUSR1; not for a dhcpcd client).</summary>
    public void RenewLease(LabClient client) => dhcpClients[client].Signal(Posix.SIGUSR1);

    public Task WaitForLeases(TimeSpan timeout) =>
        WaitFor(() => Clients.All(c => LeaseOf(c) is not null), timeout, "phone and laptop to get DHCP leases");

    /// <summary>PIDs of the processes named <paramref name="comm"/> running in <paramref name="ns"/>.</summary>
    public IReadOnlyList<int> PidsOf(string ns, string comm) =>
        Netns.Pids(ns).Where(pid => ReadComm(pid) == comm).ToList();

    static string? ReadComm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return null; }
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms; throws a TimeoutException naming
    /// <paramref name="what"/> (and routerd's output, the usual explanation) when time is up.</summary>
    public async Task WaitFor(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (DateTime.UtcNow < deadline && e is HttpRequestException or IOException or System.Net.Sockets.SocketException) { }
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"waited {timeout.TotalSeconds:0.#} s for {what}\n{Describe()}");
            await Task.Delay(100);
        }
    }

    public Task WaitFor(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitFor(() => Task.FromResult(condition()), timeout, what);

    /// <summary>routerd's state and output, for failure messages.</summary>
    public string Describe() => Routerd is null
        ? "routerd is not running"
        : $"routerd {(Routerd.HasExited ? $"exited with {Routerd.ExitCode}" : $"runs as pid {Routerd.Pid}")}; its output:\n{Tail(Routerd.Output, 60)}";

    static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    LabProcess Start(string name, string[] argv, bool keepStdin = false) =>
        LabProcess.Start(name, argv, Path.Combine(OutputDir, name + ".log"), keepStdin);

    LabProcess Track(LabProcess p)
    {
        lock (services) services.Add(p);
        return p;
    }

    void OnProcessExit(object? sender, EventArgs e) => Dispose();

    /// <summary>Stops every process (routerd first, with time to tidy up), deletes every
    /// namespace and the temp dir. Safe to call twice and from a signal handler.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        options.Log($"removing lab {Prefix}");
        Try(StopRouterd);
        LabProcess[] all;
        lock (services) all = [.. services];
        foreach (var p in all.Reverse()) Try(p.Dispose);
        foreach (var ns in namespaces) Try(() => Netns.Delete(ns));
        Try(() => { if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true); });
    }

    void Try(Action step)
    {
        try { step(); }
        catch (Exception e) { options.Log($"cleanup step failed (going on): {e.Message}"); }
    }
}
