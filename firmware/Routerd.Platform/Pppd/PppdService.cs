using Microsoft.Extensions.Logging;
using Routerd.Core.Wan;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Pppd;

/// <summary>pppd under supervision for PPPoE. Writes the options, the 0600 password file and the
/// hook scripts into the run directory; pppd's command line holds only the options file's path.
/// Each exit goes to <see cref="Exited"/> with what pppd's log announced; routerd's loop decides
/// the wait and calls <see cref="RedialAfter"/>.</summary>
public sealed partial class PppdService(string pppd, string ip, string runDir, string logDir, ILogger log) : IPppClient, IDisposable
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode Script = OwnerOnly | UnixFileMode.UserExecute;

    Supervisor? supervisor;
    PppdPlan? running;

    public Action<int, int?, int>? Exited { private get; set; }

    public int? Pid => supervisor?.Pid;

    public void Apply(PppdPlan? plan)
    {
        if (plan is null)
        {
            Stop();
            // The password leaves the disk with the mode that needed it.
            File.Delete(Path.Combine(runDir, PppdPlan.SecretFile));
            return;
        }
        string secret = Path.Combine(runDir, PppdPlan.SecretFile);
        AtomicFile.Write(secret, plan.SecretOptions.Value, OwnerOnly);
        File.SetUnixFileMode(secret, OwnerOnly); // also when an unchanged file had been opened up
        AtomicFile.Write(Path.Combine(runDir, PppdPlan.OptionsFile), plan.Options);
        AtomicFile.Write(Path.Combine(runDir, PppdPlan.UpHookFile), plan.UpHook, Script);
        AtomicFile.Write(Path.Combine(runDir, PppdPlan.DownHookFile), plan.DownHook, Script);
        if (supervisor is not null && plan.SameProcess(running))
        {
            running = plan;
            return;
        }
        Stop();
        if (plan.ParentMtu is { } mtu)
        {
            // In a VLAN the port first: the kernel keeps a VLAN device no larger than its port.
            if (plan.VlanPort is { } port) SetParentMtu(port, mtu);
            SetParentMtu(plan.Device, mtu);
        }
        running = plan;
        var fallback = plan.RedialInitial;
        int announced = 0; // what this pppd's log said about the session's end; 0: nothing yet
        supervisor = new Supervisor("pppd", pppd, plan.Arguments, runDir, logDir, log,
            exitReport: (status, pid) =>
            {
                int? said = announced == 0 ? null : announced;
                announced = 0;
                if (Exited is { } report) report(status, said, pid);
                else supervisor?.RestartAfter(fallback);
            },
            output:
            line => { if (PppdLog.Announces(line) is { } a) announced = a; });
        supervisor.Start();
    }

    /// <summary>RFC 4638 needs the port to carry MTU + 8. A port that cannot is no reason to stay
    /// offline: the PPPoE plugin sees the smaller port MTU and negotiates 1492 by itself.</summary>
    void SetParentMtu(string device, int mtu)
    {
        var r = ProcessRunner.Run(ip, ["link", "set", "dev", device, "mtu", mtu.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (!r.Succeeded) LogParentMtu(log, device, mtu, r.StandardError.Trim());
    }

    public void RedialAfter(TimeSpan wait) => supervisor?.RestartAfter(wait);

    public void RedialNow() => supervisor?.RestartNow();

    /// <summary>SIGHUP ends the link (PADT to the access concentrator); without `persist` pppd exits.</summary>
    public bool HangUp() => supervisor?.Signal(Signals.SIGHUP) == true;

    void Stop()
    {
        supervisor?.Stop();
        supervisor = null;
        running = null;
    }

    public void Dispose() => Stop();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Device} cannot carry {Mtu}-byte frames for RFC 4638 ({Reason}); pppd will use 1492")]
    static partial void LogParentMtu(ILogger log, string device, int mtu, string reason);
}
