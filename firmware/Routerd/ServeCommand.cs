using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routerd.Core.Admin;
using Routerd.Core.Devices;
using Routerd.Core.FastPath;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Platform.Dhcp;
using Routerd.Platform.Dnsmasq;
using Routerd.Platform.Hostapd;
using Routerd.Platform.IpRoute;
using Routerd.Platform.Net;
using Routerd.Platform.Netlink;
using Routerd.Platform.Nft;
using Routerd.Platform.Pppd;
using Routerd.Platform.Processes;
using Routerd.Platform.Store;
using Routerd.Platform.Sysctl;
using Routerd.Platform.Tc;
using Routerd.WebUi;
using Routerd.WebUi.Auth;
using Routerd.Core.Lan;
using Routerd.Core.Qos;
using Routerd.Core.VirtualServers;
using Routerd.Core.Wan;

namespace Routerd;

/// <summary>`routerd serve`: the composition root. Builds the adapters from the board, applies
/// the stored settings, then serves the API on the control socket and the web UI on the LAN.</summary>
static partial class ServeCommand
{
    public const string SettingsFile = "settings.db";
    /// <summary>The devices' hourly traffic for the last week, in the state directory (UsageKeeper).</summary>
    public const string UsageFileName = "usage.json";
    /// <summary>A web session unused this long is logged out.</summary>
    static readonly TimeSpan SessionIdleTimeout = TimeSpan.FromMinutes(30);

    public static async Task<int> Run(string[] args)
    {
        long started = TimeProvider.System.GetTimestamp(); // the uptime's origin (monotonic: NTP steps the date)
        var timing = new StartTiming(started);
        Board board;
        try { (board, _) = BoardConfig.Load(args); }
        catch (Exception e) when (e is IOException or FormatException or InvalidDataException)
        {
            Console.Error.WriteLine($"routerd: {e.Message}");
            return 1;
        }
        // The radio is a fact of this machine, found once at start (no radio: wifi/NO_RADIO).
        timing.Mark("board");
        board = board with { WifiDevice = WirelessInterfaces.Resolve(board.WifiDevice) };
        timing.Mark("radio");
        // So is the balancer for virtual servers: IPVS where the kernel has it, else nftables maps.
        using var ipvs = board.Balancer == Balancers.Nftables ? null : Routerd.Platform.Ipvs.IpvsNetlink.TryOpen();
        board = board with { Balancer = ipvs is null ? Balancers.Nftables : Balancers.Ipvs };
        timing.Mark("ipvs");
        // And the fast path for unshaped forwarding: a flowtable where the kernel takes one. The
        // probe (a dry run through libnftables: ~0.2 s of a first boot's start under TCG) runs on
        // another thread while the store opens and the adapters are made; the router needs the answer.
        var flowtable = board.FastPath == FastPaths.Off ? Task.FromResult(false) : Task.Run(FlowtableProbe.KernelHasFlowtable);
        // Everything routerd and its daemons create is private to root unless granted (the
        // settings, secrets and rendered files); dnsmasq gets what it re-reads (DnsmasqService).
        FileModes.PrivateByDefault();
        foreach (var dir in new[] { board.StateDir, board.RunDir, board.LogDir })
        {
            Directory.CreateDirectory(dir);
            File.SetUnixFileMode(dir, FileModes.PrivateDirectory);
        }

        foreach (var leaseFile in DnsmasqService.LeaseFiles(board.StateDir)) DnsmasqService.PrivateLeaseFile(leaseFile);

        LiteDbSettingsStore store;
        try { store = new LiteDbSettingsStore(Path.Combine(board.StateDir, SettingsFile)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"routerd: cannot open the settings store in {board.StateDir}: {e.Message}");
            return 1;
        }

        timing.Mark("store");
        // The empty builder: no configuration sources, no logging providers, no server. The slim
        // one would read ASPNETCORE_/DOTNET_ variables and the command line a second time (the
        // board already did, above) and look for appsettings files routerd does not have; routerd
        // adds the three things it uses: Kestrel, routing and its own logger. The content root is
        // routerd's own directory rather than the working directory, which for a service is "/".
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        var recentLines = new Routerd.Core.Logs.RecentLines();
        var lines = new LineLogger(Console.Out, recentLines);
        builder.Logging.AddProvider(lines);
        // One line per request is noise on a router's console; routerd logs what it changes.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // ...but the web listener moving with the LAN address is worth a line.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Information);
        // The host's lifetime lines (content root, "Press Ctrl+C", environment) speak to a
        // developer at a terminal; routerd says itself when it is ready and when it stops.
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, RouterJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(1, WebJsonContext.Default);
        });
        var loggers = lines.Factory();
        var log = loggers.CreateLogger("routerd");
        // A damaged settings file was moved aside (and the last good settings restored, or the
        // board's defaults used): the log says so here, the web UI as a banner (status.store). A
        // file behind its good copy (a power cut while it caught up) lost nothing: a notice only.
        if (store.Health is { Code: StoreHealth.Behind } behind) LogStoreBehind(log, behind.Code, behind.Message);
        else if (store.Health is { } health) LogStoreHealth(log, health.Code, health.Message);
        // The data file follows the good copy after a change is acknowledged; when it cannot (a
        // full disk), the change is safe in the copy, and the log says why the file lags.
        store.DataFileFailed = e => LogDataFileFailed(log, e.Code, e.Message);

        var network = new NetlinkObserver();
        using var dns = new DnsmasqService(board.Tools.Dnsmasq, board.RunDir, board.LogDir, loggers.CreateLogger("dnsmasq"));
        using var dhcp = new UdhcpcClient(board.Tools.Udhcpc, board.RunDir, board.LogDir, loggers.CreateLogger("udhcpc"));
        using var dhcp6 = new DhcpcdClient(board.RunDir, board.StateDir, board.LogDir, board.Tools.Ip, loggers.CreateLogger("dhcpcd"));
        using var pppd = new PppdService(board.Tools.Pppd, board.Tools.Ip, board.RunDir, board.LogDir, loggers.CreateLogger("pppd"));
        var devices = new DeviceRegistry(TimeProvider.System) { QuietPeriod = TimeSpan.FromSeconds(Math.Max(10, board.PresenceQuietSeconds)) };
        Action<RouterEvent> toLoop = _ => { }; // what hostapd does and says goes to the loop, made below
        using var wifi = new HostapdService(board.Tools.Hostapd, board.RunDir, board.LogDir, loggers.CreateLogger("hostapd"),
            e => toLoop(new StationsChanged([(e.Mac, e.SignalDbm)], e.Connected)),
            all => toLoop(new StationsChanged(all.Select(e => (e.Mac, e.SignalDbm)).ToList(), null)),
            r => toLoop(new WifiObserved(r)));
        using var firewall = new NftFirewall(board.RunDir);
        var queues = new TcQueues(board.Tools.Tc, board.RunDir);
        Action beforeReload = () => { }; // the traffic meter's, made below (before the first apply)
        var appliers = new Appliers(
            new SysctlWriter(),
            new IpNetworkConfigurator(board.Tools.Ip, network, Path.Combine(board.RunDir, "network-owned")),
            firewall,
            queues,
            dns,
            dhcp,
            pppd,
            wifi,
            dhcp6,
            (device, timeout) => Routerd.Platform.Pppoe.WanDetector.Detect(network, device, timeout),
            ipvs,
            () => beforeReload(),
            new PortCarrier(board.Tools.Ip, loggers.CreateLogger("routerd")));
        board = board with { FastPath = flowtable.GetAwaiter().GetResult() ? FastPaths.Flowtable : FastPaths.Off };
        timing.Mark("flowtable");
        string socket = BoardConfig.ControlSocket(board);
        // The loop's clock: the system's, or on a test board one the namespace tier moves forward (pause schedules).
        TimeProvider loopClock = board.TestClock ? new MovableClock() : TimeProvider.System;
        using var router = new Router(board, store, appliers, BoardConfig.Hooks(board), new WanLeaseFile(board.RunDir),
            devices, loopClock, loggers.CreateLogger<Router>()) { Rescue = store.Health?.Code == StoreHealth.Rescue };
        toLoop = router.Post;
        timing.Mark("adapters");
        bool firstBoot = store.Load() is null;
        try
        {
            router.Load(PasswordHasher.HashDefault);
            if (firstBoot) FirstBootWifiNote.Write(board, router.Settings.Wifi);
        }
        catch (SettingsRejectedException e)
        {
            foreach (var err in e.Errors) Console.Error.WriteLine($"routerd: stored settings refused: {err.Field}: {err.Message}");
            return 1;
        }

        timing.Mark("load");
        var lanAddress = router.State.Lan.Address.Ip;
        // The kernel and the daemons are set up by the loop's first event, on its own thread,
        // while the web host is built and started: routerd is ready when the slower of the two is.
        // Until the apply is done, every request waits for it. The deadlines (priorities "for 1
        // hour", a LAN change's rollback, the daily PPPoE reconnect) are the loop's own timers.
        // The WAN client starts in the apply, before the web host listens: its hook waits for the
        // socket while this marker says routerd is on its way (HookCommand).
        if (File.Exists(socket)) File.Delete(socket); // left by a routerd that did not stop cleanly
        string starting = BoardConfig.StartingMarker(board);
        File.WriteAllText(starting, $"{Environment.ProcessId}\n"); // the hook waits while this process lives
        var conntrack = new ConntrackDump();
        // Conntrack counts most connections (Firewall/ConnectionCounting.cs).
        var meter = new TrafficMeter(firewall, devices, TimeProvider.System)
        {
            Moved = macs => router.Post(new TrafficMoved(macs)),
            Conntrack = conntrack,
        };
        beforeReload = meter.BeforeReload;
        var applied = router.ApplyInBackground();
        _ = applied.ContinueWith(_ => timing.Mark("(loop) first apply"), TaskScheduler.Default);

        builder.Services.AddHostedService(_ => new DeviceWatcher(network, router,
            DnsmasqService.LeaseFiles(board.StateDir)));
        builder.Services.AddHostedService(_ => new WanWatcher(network, router));
        builder.Services.AddHostedService(_ => new TrafficSampler(meter));
        builder.Services.AddHostedService(_ => new UsageKeeper(meter.History, Path.Combine(board.StateDir, UsageFileName), TimeProvider.System, log));
        var probe = new NeighbourProbe();
        builder.Services.AddHostedService(_ => new PresenceProber(devices, probe));
        builder.Services.AddHostedService(_ => new BackendProber(router, TimeSpan.FromSeconds(Math.Max(1, board.HealthCheckSeconds)),
            ipvs is null ? new ConntrackBackendConnections(conntrack) : null));

        // The web UI listens on the LAN address only, following it when it changes (the firewall
        // also closes it on the WAN). It has none until the apply has put it on the bridge: the
        // control socket alone listens meanwhile.
        var listener = new LanListener(board.WebPort);
        var listenConfig = new ConfigurationBuilder().Add(listener).Build();
        builder.Services.AddHostedService(_ => new LanFollower(router, listener));
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Nothing a browser sends the router comes near these; an attacker's bodies and
            // headers stop here (and per route, smaller, in Auth/RequestGate) before they are read.
            k.Limits.MaxRequestBodySize = RequestGate.SettingsBodyBytes;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Limits.MaxRequestHeaderCount = 50;
            k.Limits.MaxRequestLineSize = 8 * 1024;
            k.Limits.MaxConcurrentConnections = 256;
            k.ListenUnixSocket(socket);
            k.Configure(listenConfig, reloadOnChange: true);
        });
        var sessions = new SessionStore(TimeProvider.System, SessionIdleTimeout);
        var app = builder.Build();
        timing.Mark("web host built");
        // A foreign Host or an oversized body is refused before the request waits for anything.
        app.UseRequestGate(router);
        app.Use(async (context, next) =>
        {
            if (!applied.IsCompleted) await applied;
            await next(context);
        });
        app.UseApiGuard(sessions, router);
        app.UseEmbeddedAssets();
        using var tracer = new NftTracer(() => network.Links().ToDictionary(l => l.Index, l => l.Name));
        var api = new RouterApi(router, devices, meter, queues, BuildInfo.Version, started, new SysfsInterfaceCounters())
        {
            Store = store.Health,
            DetectWan = (device, timeout) => Routerd.Platform.Pppoe.WanDetector.Detect(network, device, timeout),
            Tracer = tracer,
            Conntrack = conntrack,
            NetTools = new Routerd.Platform.Diagnostics.NetToolRunner(board.Tools.Ping, board.Tools.Traceroute),
            Logs = new Routerd.Platform.Logs.LogFiles(board.LogDir, recentLines),
            ClockStatus = new Routerd.Platform.Time.ClockStatusReader(),
            Connections = ipvs is not null ? ipvs : new ConntrackBackendConnections(conntrack),
        };
        var firmware = FirmwareHealth.Updater(board, () => RouterJson.WriteSettings(router.Snapshot.Settings));
        var system = new SystemActions(board, router, dns, sessions, log) { Usage = meter.History };
        app.MapWebApi(api, board, sessions, new LoginThrottle(TimeProvider.System, board.LoginThrottle), system, firmware);
        using var statusLed = BoardControls.StartStatusLed(board, router, firmware, applied, log);
        using var resetButton = BoardControls.StartResetButton(board, system, log);
        if (loopClock is MovableClock movable) app.MapTestClock(router, movable);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        });
        app.Lifetime.ApplicationStopping.Register(() => LogStopping(log));
        await app.StartAsync();
        timing.Mark("web host started");
        await applied;
        timing.Mark("applied");
        // Started only now: a request that came in meanwhile waited for the first apply, and a
        // hook whose request timed out in that wait (the slower TCG boots) tries again while the
        // marker is there.
        File.Delete(starting);
        LogReady(log, board.Name, lanAddress, board.WebPort, socket);
        timing.Ready(log);
        if (firmware is not null) _ = FirmwareHealth.CheckThenMarkGood(firmware, router, board, log);
        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        store.Dispose();
        return 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "routerd ready on board {Board}: web UI http://{Address}:{Port}/, control socket {Socket}")]
    static partial void LogReady(ILogger log, string board, IPAddress address, int port, string socket);

    [LoggerMessage(Level = LogLevel.Error, Message = "settings store ({Code}): {Message}")]
    static partial void LogStoreHealth(ILogger log, string code, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "settings store ({Code}): {Message}; nothing was lost")]
    static partial void LogStoreBehind(ILogger log, string code, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "settings store ({Code}): the data file did not follow the last good copy, which holds the settings; the next change tries again: {Message}")]
    static partial void LogDataFileFailed(ILogger log, string code, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "routerd stopping: the daemons it runs stop with it; the firewall, queues and addresses stay in place")]
    static partial void LogStopping(ILogger log);
}
