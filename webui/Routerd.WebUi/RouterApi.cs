using Routerd.Core.Devices;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.WebUi;

/// <summary>What the HTTP layer may use: the router's loop for changes and its snapshot for
/// settings and status, the device registry and traffic meter for the device list, the queue
/// statistics for the VIP lane. The web layer never renders configuration itself.
/// <paramref name="Started"/>: <paramref name="Clock"/>'s monotonic timestamp (TimeProvider.GetTimestamp) when routerd started.</summary>
public sealed record RouterApi(Router Router, DeviceRegistry Devices, TrafficMeter Meter, IQueueStatsReader Queues,
    string Version, long Started, IInterfaceCounters? Counters = null, TimeProvider? Clock = null)
{
    /// <summary>The loop's last published status plus what is observed right now: uptime,
    /// devices online, the WAN's byte counters. The uptime is monotonic and the start date is
    /// counted back from it, so that NTP stepping the date (a Pi boots with a stale one) moves the
    /// start date along instead of making the uptime years long or negative.</summary>
    public RouterStatus Status()
    {
        var clock = Clock ?? TimeProvider.System;
        var uptime = clock.GetElapsedTime(Started);
        var s = Router.Status(Version, clock.GetUtcNow() - uptime);
        var counters = Counters?.Read(s.Wan.Interface);
        return s with
        {
            UptimeSeconds = (long)uptime.TotalSeconds,
            DevicesOnline = Devices.Snapshot().Count(d => d.Online),
            PresenceQuietSeconds = (int)Devices.QuietPeriod.TotalSeconds,
            Wan = s.Wan with { RxBytes = counters?.Rx, TxBytes = counters?.Tx },
            Store = Store,
        };
    }

    /// <summary>What the settings store found at start (a damaged file moved aside); null: fine.</summary>
    public Core.Settings.StoreHealth? Store { get; init; }

    /// <summary>Active connections per virtual-server backend (IPVS's counters or the conntrack table); null: not known.</summary>
    public Core.VirtualServers.IBackendConnections? Connections { get; init; }

    /// <summary>PPPoE discovery on the WAN port (the OS edge, given by the composition root).</summary>
    public Func<string, TimeSpan, Core.Wan.WanDetection>? DetectWan { get; init; }

    /// <summary>The connection tracer and the connection table (the OS edge, given by the composition root; null: 501).</summary>
    public Core.Diagnostics.IConnectionTracer? Tracer { get; init; }
    public Core.Diagnostics.IConntrackReader? Conntrack { get; init; }

    /// <summary>ping, traceroute and DNS lookups run by the router (the OS edge; null: 501).</summary>
    public Core.Diagnostics.INetTools? NetTools { get; init; }

    /// <summary>routerd's and its daemons' recent log lines (the OS edge; null: 501).</summary>
    public Core.Logs.ILogSource? Logs { get; init; }

    /// <summary>How the clock is kept (kernel state, the time service; the OS edge; null: unknown).</summary>
    public Core.Time.IClockStatusReader? ClockStatus { get; init; }

    /// <summary>Every device with the user's settings for it and its traffic.</summary>
    public IReadOnlyList<DeviceView> DeviceList()
    {
        Meter.Refresh();
        var s = Router.Snapshot;
        return Devices.View(s.Settings.Devices, s.Paused).Select(d => d with { Traffic = Meter.Of(d.Mac) }).ToList();
    }

    /// <summary>One device as it is now, with its traffic as last sampled (a priority or pause
    /// toggle's answer: no counters are read for it).</summary>
    public DeviceView Device(MacAddress mac)
    {
        string key = mac.ToString();
        var s = Router.Snapshot;
        var d = Devices.View(s.Settings.Devices, s.Paused).First(d => d.Mac == key);
        return d with { Traffic = Meter.Of(d.Mac) };
    }

    public QosView Qos()
    {
        var state = Router.State;
        var leaf = Router.QueueLeaf;
        return QosReport.Build(state, TcRenderer.Render(state, leaf), leaf, Queues);
    }
}
