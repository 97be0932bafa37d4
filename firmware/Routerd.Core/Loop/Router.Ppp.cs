using Microsoft.Extensions.Logging;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;

namespace Routerd.Core.Loop;

// The PPPoE part: pppd's hooks, its exit and the WAN port's carrier arrive as events; the
// session's lease goes into the same rendering as a DHCP lease (dnsmasq's upstream servers, the
// queues on the PPP interface), and the redial wait goes back to the pppd adapter.
public sealed partial class Router
{
    readonly PppSession ppp;

    bool PppdUnchanged(RenderedConfig next) =>
        next.Pppd is null ? applied?.Pppd is null : next.Pppd.SameProcess(applied?.Pppd);

    /// <summary>pppd's ip-up or ip-down script reported.</summary>
    public void OnPppEvent(PppHookReport report) => Send(new PppHook(report));

    object? OnPpp(PppHookReport report)
    {
        if (state.Wan.Mode != WanModes.Pppoe) return null;
        // pppd does not wait for its scripts: the ip-down of a pppd that was just replaced
        // can arrive after its successor's ip-up, and must not end the new session.
        if (report.PppdPid is { } from && appliers.Ppp?.Pid is { } current && from != current)
        {
            LogStalePpp(log, report.Event, from);
            return null;
        }
        WanLease? next;
        if (report.Event == "up")
        {
            try { next = ppp.Up(report); }
            catch (FormatException e)
            {
                LogBadPpp(log, e.Message);
                return null;
            }
            LogPppUp(log, next.ToString(), ppp.SessionId ?? "?");
        }
        else if (report.Event == "down")
        {
            ppp.Down();
            next = null;
            LogPppDown(log);
        }
        else return null;
        if (next == lease) return null;
        lease = next;
        Reapply();
        return null;
    }

    /// <summary>pppd exited with <paramref name="status"/>; the answer is how long the adapter waits
    /// before dialling again (tests and tools; pppd's adapter posts <see cref="PppExited"/>).</summary>
    public TimeSpan OnPppExit(int status) => (TimeSpan)Send(new PppExited(status))!;

    /// <summary>pppd exited: the status code follows from its exit status (or what its log
    /// announced), the session's lease goes, and the adapter is told when to dial again.</summary>
    object OnPppExited(PppExited x)
    {
        // An exit reported after a new pppd was started (the settings changed meanwhile) is old news.
        if (state.Wan.Pppoe is not { } plan) return TimeSpan.FromSeconds(30);
        if (x.Pid is { } gone && appliers.Ppp?.Pid is { } running && running != gone) return TimeSpan.Zero;
        int status = PppdLog.Effective(x.Status, x.Announced);
        var wait = ppp.Exited(status, plan);
        LogPppExit(log, status, ppp.Code, wait.TotalSeconds);
        if (lease?.Interface == WanInterfaces.PppInterface)
        {
            lease = null;
            Reapply();
        }
        appliers.Ppp?.RedialAfter(wait);
        return wait;
    }

    /// <summary>The WAN port's carrier changed (netlink). Coming back, it redials at once.</summary>
    public void OnWanCarrier(string device, bool present) => Send(new CarrierChanged(device, present));

    object? OnCarrier(string device, bool present)
    {
        if (device != state.Wan.Device || state.Wan.Mode != WanModes.Pppoe) return null;
        if (ppp.Carrier != present) LogCarrier(log, device, present ? "up" : "down");
        if (ppp.CarrierChanged(present)) appliers.Ppp?.RedialNow();
        return null;
    }

    /// <summary>Hangs up once a day at the configured reconnect time.</summary>
    void ReconnectIfDue()
    {
        if (state.Wan.Pppoe is not { } plan || !ppp.ReconnectDue(plan)) return;
        LogReconnect(log);
        appliers.Ppp?.HangUp();
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
    [LoggerMessage(Level = LogLevel.Information, Message = "daily PPPoE reconnect: hanging up")]
    static partial void LogReconnect(ILogger log);
}
