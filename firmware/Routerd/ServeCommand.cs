using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Routerd.Core.Admin;
using Routerd.Core.Devices;
using Routerd.Core.Json;
using Routerd.Core.Reconcile;
using Routerd.Core.Rendering;
using Routerd.Core.Settings;
using Routerd.Core.Traffic;
using Routerd.Platform.Dhcp;
using Routerd.Platform.Dnsmasq;
using Routerd.Platform.Hostapd;
using Routerd.Platform.IpRoute;
using Routerd.Platform.Netlink;
using Routerd.Platform.Nft;
using Routerd.Platform.Store;
using Routerd.Platform.Sysctl;
using Routerd.Platform.Tc;
using Routerd.WebUi;

namespace Routerd;

/// <summary>`routerd serve`: the composition root. Builds the adapters from the board, applies
/// the stored settings, then serves the API on the control socket and the web UI on the LAN.</summary>
static partial class ServeCommand
{
    public const string SettingsFile = "settings.db";

    public static async Task<int> Run(string[] args)
    {
        var startedAt = DateTimeOffset.UtcNow;
        Board board;
        try { (board, _) = BoardConfig.Load(args); }
        catch (Exception e) when (e is IOException or FormatException or InvalidDataException)
        {
            Console.Error.WriteLine($"routerd: {e.Message}");
            return 1;
        }
        // The radio is a fact of this machine, found once at start (no radio: wifi/NO_RADIO).
        board = board with { WifiDevice = WirelessInterfaces.Resolve(board.WifiDevice) };
        foreach (var dir in new[] { board.StateDir, board.RunDir, board.LogDir })
            Directory.CreateDirectory(dir);
        // dnsmasq drops to its own user and re-reads its files here on SIGHUP, so the directory is
        // world-readable; what must stay private is protected per file (the control socket and
        // secrets files are 0600).
        File.SetUnixFileMode(board.RunDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        LiteDbSettingsStore store;
        try { store = new LiteDbSettingsStore(Path.Combine(board.StateDir, SettingsFile)); }
        catch (SettingsFileException e)
        {
            Console.Error.WriteLine($"routerd: {e.Message}. The file was left as it is; move it away to start with first-boot settings.");
            return 1;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        // One line per request is noise on a router's console; routerd logs what it changes.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, RouterJsonContext.Default));
        var loggers = LoggerFactory.Create(l => l.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }));
        var log = loggers.CreateLogger("routerd");

        var network = new NetlinkObserver();
        using var dns = new DnsmasqService(board.Tools.Dnsmasq, board.RunDir, board.LogDir, loggers.CreateLogger("dnsmasq"));
        using var dhcp = new UdhcpcClient(board.Tools.Udhcpc, board.RunDir, board.LogDir, loggers.CreateLogger("udhcpc"));
        var devices = new DeviceRegistry(TimeProvider.System);
        using var wifi = new HostapdService(board.Tools.Hostapd, board.RunDir, board.LogDir, loggers.CreateLogger("hostapd"),
            e => devices.SetWifiStation(e.Mac, e.Connected, e.SignalDbm),
            all => devices.SetWifiStations(all.Select(e => (e.Mac, e.SignalDbm))));
        var firewall = new NftFirewall(board.Tools.Nft, board.RunDir);
        var queues = new TcQueues(board.Tools.Tc, board.RunDir);
        var appliers = new Appliers(
            new SysctlWriter(),
            new IpNetworkConfigurator(board.Tools.Ip, network),
            firewall,
            queues,
            dns,
            dhcp,
            wifi);
        string socket = BoardConfig.ControlSocket(board);
        var reconciler = new Reconciler(board, store, appliers, BoardConfig.Hooks(board), new WanLeaseFile(board.RunDir),
            devices, TimeProvider.System, loggers.CreateLogger<Reconciler>());
        bool firstBoot = store.Load() is null;
        try
        {
            reconciler.Start(p => PasswordHasher.Hash(p));
            if (firstBoot) FirstBootWifiNote.Write(board, reconciler.Settings.Wifi);
        }
        catch (SettingsRejectedException e)
        {
            foreach (var err in e.Errors) Console.Error.WriteLine($"routerd: stored settings refused: {err.Field}: {err.Message}");
            return 1;
        }

        builder.Services.AddHostedService(_ => new DeviceWatcher(network, devices, reconciler,
            Path.Combine(board.StateDir, DnsmasqConfig.LeaseFile)));
        builder.Services.AddHostedService(_ => new PriorityExpiry(reconciler));
        var meter = new TrafficMeter(firewall, devices, TimeProvider.System);
        builder.Services.AddHostedService(_ => new TrafficSampler(meter));

        if (File.Exists(socket)) File.Delete(socket); // left by a routerd that did not stop cleanly
        var lanAddress = reconciler.State.Lan.Address.Ip;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenUnixSocket(socket);
            // The web UI listens on the LAN address only; the firewall also closes it on the WAN.
            k.Listen(lanAddress, board.WebPort);
        });
        var app = builder.Build();
        app.UseEmbeddedAssets();
        app.MapRouterApi(new RouterApi(reconciler, devices, meter, queues, BuildInfo.Version, startedAt));
        app.Lifetime.ApplicationStarted.Register(() =>
            File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite));
        LogReady(log, board.Name, lanAddress, board.WebPort, socket);
        await app.RunAsync();
        store.Dispose();
        return 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "routerd ready on board {Board}: web UI http://{Address}:{Port}/, control socket {Socket}")]
    static partial void LogReady(ILogger log, string board, IPAddress address, int port, string socket);
}
