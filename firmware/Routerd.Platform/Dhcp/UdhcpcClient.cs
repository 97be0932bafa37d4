using Microsoft.Extensions.Logging;
using Routerd.Core.Loop;
using Routerd.Platform.Processes;
using Routerd.Core.Wan;

namespace Routerd.Platform.Dhcp;

/// <summary>The WAN's DHCP client: busybox udhcpc under supervision. Its hook script reports each
/// lease event back to routerd's control socket.</summary>
public sealed class UdhcpcClient(string udhcpc, string runDir, string logDir, ILogger log) : IDhcpClient, IDisposable
{
    Supervisor? supervisor;

    public void Apply(DhcpClientPlan? plan)
    {
        if (plan is null)
        {
            supervisor?.Stop();
            supervisor = null;
            return;
        }
        AtomicFile.Write(Path.Combine(runDir, DhcpClientPlan.HookFile), plan.HookScript,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (supervisor is not null && supervisor.Arguments.SequenceEqual(plan.Arguments)) return;
        supervisor?.Stop();
        supervisor = new Supervisor("udhcpc", udhcpc, plan.Arguments, runDir, logDir, log);
        supervisor.Start();
    }

    public void Dispose() => supervisor?.Stop();
}
