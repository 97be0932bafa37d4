using Microsoft.Extensions.Logging;
using Routerd.Core.Rendering;
using Routerd.Core.Settings;
using Routerd.Core.State;
using Routerd.Core.Wan;

namespace Routerd.Core.Reconcile;

// The reconciler's PPPoE part: pppd's hooks, its exit status and the WAN port's carrier come in
// here, the session's lease goes into the same rendering as a DHCP lease (dnsmasq's upstream
// servers, the queues on the PPP interface), and the redial policy goes back to the pppd adapter.
public sealed partial class Reconciler
{
    readonly PppSession ppp = new(clock);

    bool PppdUnchanged(RenderedConfig next) =>
        next.Pppd is null ? applied?.Pppd is null : next.Pppd.SameProcess(applied?.Pppd);

    /// <summary>pppd's ip-up or ip-down script reported.</summary>
    public void OnPppEvent(PppHookReport report)
    {
        lock (gate)
        {
            if (state.Wan.Mode != WanModes.Pppoe) return;
            // pppd does not wait for its scripts: the ip-down of a pppd that was just replaced
            // can arrive after its successor's ip-up, and must not end the new session.
            if (report.PppdPid is { } from && appliers.Ppp?.Pid is { } current && from != current)
            {
                LogStalePpp(log, report.Event, from);
                return;
            }
            WanLease? next;
            if (report.Event == "up")
            {
                try { next = ppp.Up(report); }
                catch (FormatException e)
                {
                    LogBadPpp(log, e.Message);
                    return;
                }
                LogPppUp(log, next.ToString(), ppp.SessionId ?? "?");
            }
            else if (report.Event == "down")
            {
                ppp.Down();
                next = null;
                LogPppDown(log);
            }
            else return;
            if (next == lease) return;
            lease = next;
            try { ApplyLocked(Render()); }
            catch (ApplyException e) { LogApplyFailed(log, e.Code, e.Message); }
        }
    }

    /// <summary>pppd exited with <paramref name="status"/>: the status code follows from it, and
    /// the answer is how long the adapter waits before dialling again.</summary>
    public TimeSpan OnPppExit(int status)
    {
        lock (gate)
        {
            if (state.Wan.Pppoe is not { } plan) return TimeSpan.FromSeconds(30);
            var wait = ppp.Exited(status, plan);
            LogPppExit(log, status, ppp.Code, wait.TotalSeconds);
            if (lease?.Interface == WanInterfaces.PppInterface)
            {
                lease = null;
                try { ApplyLocked(Render()); }
                catch (ApplyException e) { LogApplyFailed(log, e.Code, e.Message); }
            }
            return wait;
        }
    }

    /// <summary>The WAN port's carrier changed (netlink). Coming back, it redials at once.</summary>
    public void OnWanCarrier(string device, bool present)
    {
        lock (gate)
        {
            if (device != state.Wan.Device || state.Wan.Mode != WanModes.Pppoe) return;
            if (ppp.Carrier != present) LogCarrier(log, device, present ? "up" : "down");
            if (ppp.CarrierChanged(present)) appliers.Ppp?.RedialNow();
        }
    }

    /// <summary>Called periodically: hangs up once a day at the configured reconnect time.</summary>
    public void PppReconnectIfDue()
    {
        lock (gate)
        {
            if (state.Wan.Pppoe is not { } plan || !ppp.ReconnectDue(plan)) return;
            LogReconnect(log);
            appliers.Ppp?.HangUp();
        }
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
