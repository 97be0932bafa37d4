using Microsoft.Extensions.Logging;
using Routerd.Core.Ipv6;
using Routerd.Core.Loop;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Dhcp;

/// <summary>The WAN's DHCPv6 client: dhcpcd under supervision, started through unshare in its own
/// mount namespace (Core/Ipv6/DhcpcdRenderer.cs says why). Its hook reports back to routerd's
/// control socket. dhcpcd reads its configuration once, so a changed one restarts it.</summary>
public sealed class DhcpcdClient(string runDir, string stateDir, string logDir, ILogger log) : IDhcp6Client, IDisposable
{
    Supervisor? supervisor;
    string? runningConfig;

    public void Apply(Dhcp6ClientPlan? plan)
    {
        if (plan is null)
        {
            supervisor?.Stop();
            (supervisor, runningConfig) = (null, null);
            return;
        }
        // Root-only: the DUID identifies this router to the ISP, the leases say what it holds.
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(Path.Combine(runDir, Dhcp6ClientPlan.RunSubdir), Private);
        Directory.CreateDirectory(Path.Combine(stateDir, Dhcp6ClientPlan.StateSubdir), Private);
        AtomicFile.Write(Path.Combine(runDir, Dhcp6ClientPlan.HookFile), plan.HookScript, Private);
        AtomicFile.Write(Path.Combine(runDir, Dhcp6ClientPlan.ConfigFile), plan.Config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (supervisor is not null && supervisor.Arguments.SequenceEqual(plan.Arguments) && runningConfig == plan.Config) return;
        supervisor?.Stop();
        supervisor = new Supervisor("dhcpcd", plan.Program, plan.Arguments, runDir, logDir, log);
        runningConfig = plan.Config;
        supervisor.Start();
    }

    public void Dispose() => supervisor?.Stop();
}
