using Microsoft.Extensions.Logging;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Wan;

/// <summary>PPPoE: pppd (PppdRenderer) dials on the WAN port and creates the PPP interface, which
/// carries the traffic and gets its address and route from pppd itself. routerd redials, not pppd:
/// pppd's exit status becomes the status code and the wait before the next dial (PppSession).</summary>
public sealed class PppoeProtocol : WanProtocol
{
    public override string Mode => WanModes.Pppoe;

    /// <summary>The account is required only while PPPoE is the mode; a kept block is checked all the same.</summary>
    public override IWanProtocolPlan? Check(WanSettings wan, bool active, LanPlan? lan, List<string> dns, List<FieldError> errors) =>
        active ? PppoeRules.Build(wan.Pppoe, errors, wanDevice: wan.Device) : wan.Pppoe is { } kept ? PppoeRules.Build(kept, errors, active: false, wan.Device) : null;

    public override string Egress(WanPlan wan) => WanInterfaces.PppInterface;

    /// <summary>The PPP interface exists only while a session is up (its ip-up report is the lease).</summary>
    public override bool EgressExists(WanLease? lease) => lease?.Interface == WanInterfaces.PppInterface;

    /// <summary>pppd's own frames (discovery, LCP echoes) leave on the Ethernet port (in a VLAN: its
    /// VLAN device, where they still carry their own ethertype), not through the PPP interface's queue.</summary>
    public override (string Device, string Why, string Filters)? PortControl(WanPlan wan)
    {
        string port = WanInterfaces.PppoePort(wan);
        return (port, "PPPoE port: PPP control frames in the priority class", PppoeControlFilters.Render(port));
    }

    public override IWanHandler NewHandler(WanContext context) => new PppoeHandler(context);
}

/// <summary>pppd's hooks, its exit and the WAN port's carrier arrive as events; the session's
/// lease goes into the same rendering as a DHCP lease (dnsmasq's upstream servers, the queues on
/// the PPP interface), and the redial wait goes back to the pppd adapter.</summary>
sealed partial class PppoeHandler(WanContext context) : IWanHandler
{
    /// <summary>While a daily reconnect is set and a session is up, the window is looked at this often.</summary>
    static readonly TimeSpan ReconnectCheck = TimeSpan.FromSeconds(30);

    /// <summary>How long the probe after a silent discovery listens (pppd's own took 7 s).</summary>
    static readonly TimeSpan ProbeTime = TimeSpan.FromSeconds(3);

    readonly PppSession ppp = new(context.Clock);
    /// <summary>Counts pppd's exits, so that a probe's answer about an earlier dial is known as stale.</summary>
    int exits;
    ILogger Log => context.Log;

    public WanStep? Handle(RouterEvent e, WanPlan wan, WanLease? lease) => e switch
    {
        PppHook h => new WanStep(null, OnHook(h.Report, wan, lease)),
        PppExited x => OnExited(x, wan, lease),
        PppoeProbed p => OnProbed(p, wan, lease),
        CarrierChanged c => OnCarrier(c.Device, c.Present, wan, lease),
        _ => null,
    };

    WanLease? OnHook(PppHookReport report, WanPlan wan, WanLease? lease)
    {
        if (wan.Mode != WanModes.Pppoe) return lease;
        // pppd does not wait for its scripts: the ip-down of a pppd that was just replaced
        // can arrive after its successor's ip-up, and must not end the new session.
        if (report.PppdPid is { } from && context.Ppp?.Pid is { } current && from != current)
        {
            LogStalePpp(Log, report.Event, from);
            return lease;
        }
        if (report.Event == "up")
        {
            try
            {
                var next = ppp.Up(report);
                LogPppUp(Log, next.ToString(), ppp.SessionId ?? "?");
                return next;
            }
            catch (FormatException e)
            {
                LogBadPpp(Log, e.Message);
                return lease;
            }
        }
        if (report.Event == "down")
        {
            ppp.Down();
            LogPppDown(Log);
            return null;
        }
        return lease;
    }

    /// <summary>pppd exited: the status code follows from its exit status (or what its log
    /// announced), the session's lease goes, and the adapter is told when to dial again (the
    /// answer: the wait).</summary>
    WanStep OnExited(PppExited x, WanPlan wan, WanLease? lease)
    {
        // An exit reported after a new pppd was started (the settings changed meanwhile) is old news.
        if (wan.Plan<PppoePlan>() is not { } plan) return new(TimeSpan.FromSeconds(30), lease);
        if (x.Pid is { } gone && context.Ppp?.Pid is { } running && running != gone) return new(TimeSpan.Zero, lease);
        int status = PppdLog.Effective(x.Status, x.Announced);
        var wait = ppp.Exited(status, plan);
        int dial = ++exits;
        LogPppExit(Log, status, ppp.Code, wait.TotalSeconds);
        bool ask = ppp.Code == WanCodes.NoServer && (plan.ServiceName ?? plan.AcName) is not null;
        return new(wait, lease?.Interface == WanInterfaces.PppInterface ? null : lease, () =>
        {
            context.Ppp?.RedialAfter(wait);
            if (ask) Probe(WanInterfaces.PppoePort(wan), dial);
        });
    }

    /// <summary>pppd asked for a named service or AC and heard nobody: a probe for any service
    /// finds out whether someone answers with something else (DiscoveryExplanation).</summary>
    void Probe(string device, int dial)
    {
        if (context.Discover is not { } discover || context.Post is not { } post) return;
        _ = Task.Run(() =>
        {
            try { post(new PppoeProbed(discover(device, ProbeTime), dial)); }
            catch (Exception e) when (e is IOException or ArgumentException) { LogProbeFailed(Log, device, e.Message); }
        });
    }

    WanStep OnProbed(PppoeProbed p, WanPlan wan, WanLease? lease)
    {
        if (p.Dial == exits && wan.Plan<PppoePlan>() is { } plan && DiscoveryExplanation.Explain(plan, p.Detection) is { } why &&
            ppp.Explain(WanCodes.NoServer, why.Code, why.Message))
            LogExplained(Log, why.Code, why.Message);
        return new(null, lease);
    }

    /// <summary>The WAN port's carrier changed (netlink). Coming back, it redials at once.</summary>
    WanStep OnCarrier(string device, bool present, WanPlan wan, WanLease? lease)
    {
        if (device != wan.Device || wan.Mode != WanModes.Pppoe) return new(null, lease);
        if (ppp.Carrier != present) LogCarrier(Log, device, present ? "up" : "down");
        if (ppp.CarrierChanged(present)) context.Ppp?.RedialNow();
        return new(null, lease);
    }

    public WanStatus Status(WanPlan wan, string egress, WanLease? lease) =>
        new(wan.Mode, egress, ppp.Code, ppp.Lease?.Address.ToString(), ppp.Lease?.Gateway is { } g ? Ipv4Network.Format(g) : null,
            wan.Dns.Count > 0 ? wan.Dns : ppp.Lease?.Dns ?? [], ppp.Message, null, ppp.SessionId);

    public long? UpSince => ppp.UpSince;

    /// <summary>A PPP session lasts as long as pppd runs with the same configuration (which does
    /// not depend on the lease, so it alone is rendered to find out).</summary>
    public WanLease? Kept(DesiredState next, WanLease? lease, RenderedConfig? applied) =>
        lease?.Interface == WanInterfaces.PppInterface && PppdRenderer.Render(next, context.Hooks) is { } pppd && pppd.SameProcess(applied?.Pppd)
            ? lease : null;

    /// <summary>A new pppd (another configuration): nothing learned from the old one counts.</summary>
    public void Applying(RenderedConfig next, RenderedConfig? applied)
    {
        bool same = next.Pppd is null ? applied?.Pppd is null : next.Pppd.SameProcess(applied?.Pppd);
        if (!same) ppp.Reset();
    }

    public DateTimeOffset? NextDeadline(WanPlan wan, DateTimeOffset now) =>
        wan.Mode == WanModes.Pppoe && wan.Plan<PppoePlan>()?.ReconnectAt is not null && ppp.Lease is not null ? now + ReconnectCheck : null;

    /// <summary>Hangs up once a day at the configured reconnect time.</summary>
    public void Tick(WanPlan wan)
    {
        if (wan.Plan<PppoePlan>() is not { } plan || !ppp.ReconnectDue(plan)) return;
        LogReconnect(Log);
        context.Ppp?.HangUp();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "PPPoE session up: {Lease}, session {Session}")]
    static partial void LogPppUp(ILogger log, string lease, string session);
    [LoggerMessage(Level = LogLevel.Information, Message = "PPPoE session down")]
    static partial void LogPppDown(ILogger log);
    [LoggerMessage(Level = LogLevel.Warning, Message = "pppd exited with status {Status} ({Code}); dialling again in {Seconds:0.#} s")]
    static partial void LogPppExit(ILogger log, int status, string code, double seconds);
    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored a malformed PPP report: {Reason}")]
    static partial void LogBadPpp(ILogger log, string reason);
    [LoggerMessage(Level = LogLevel.Information, Message = "WAN port {Device} carrier {State}")]
    static partial void LogCarrier(ILogger log, string device, string state);
    [LoggerMessage(Level = LogLevel.Information, Message = "ignored PPP {Event} from pppd {Pid}, which is no longer the running one")]
    static partial void LogStalePpp(ILogger log, string @event, int pid);
    [LoggerMessage(Level = LogLevel.Warning, Message = "PPPoE discovery: {Code}: {Message}")]
    static partial void LogExplained(ILogger log, string code, string message);
    [LoggerMessage(Level = LogLevel.Information, Message = "PPPoE discovery probe on {Device} failed: {Reason}")]
    static partial void LogProbeFailed(ILogger log, string device, string reason);
    [LoggerMessage(Level = LogLevel.Information, Message = "daily PPPoE reconnect: hanging up")]
    static partial void LogReconnect(ILogger log);
}
