using Microsoft.Extensions.Logging;
using Routerd.Core.Ipv6;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Dhcp;

/// <summary>The WAN's DHCPv6 client: dhcpcd under supervision, started through unshare in its own
/// mount namespace (Core/Ipv6/DhcpcdRenderer.cs says why). Its hook reports back to routerd's
/// control socket. dhcpcd reads its configuration once, so a changed one restarts it.</summary>
/// <param name="ip">iproute2's ip, which takes away what a dhcpcd that had to be killed left behind.</param>
public sealed partial class DhcpcdClient(string runDir, string stateDir, string logDir, string ip, ILogger log, string procSys = "/proc/sys") : IDhcp6Client, IDisposable
{
    Supervisor? supervisor;
    string? runningConfig;

    public void Apply(Dhcp6ClientPlan? plan)
    {
        if (plan is null)
        {
            Stop(null);
            return;
        }
        // Root-only: the DUID identifies this router to the ISP, the leases say what it holds.
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(Path.Combine(runDir, Dhcp6ClientPlan.RunSubdir), Private);
        Directory.CreateDirectory(Path.Combine(stateDir, Dhcp6ClientPlan.StateSubdir), Private);
        AtomicFile.Write(Path.Combine(runDir, Dhcp6ClientPlan.HookFile), plan.HookScript, Private);
        AtomicFile.Write(Path.Combine(runDir, Dhcp6ClientPlan.ConfigFile), plan.Config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (supervisor is not null && supervisor.Arguments.SequenceEqual(plan.Arguments) && runningConfig == plan.Config) return;
        Stop(plan.Arguments[^1]);
        supervisor = new Supervisor("dhcpcd", plan.Program, plan.Arguments, runDir, logDir, log);
        runningConfig = plan.Config;
        supervisor.Start();
    }

    /// <param name="next">the interface the next dhcpcd runs on (null: none runs).</param>
    void Stop(string? next)
    {
        if (supervisor is null) return;
        string left = supervisor.Arguments[^1];
        supervisor.Stop();
        (supervisor, runningConfig) = (null, null);
        // Only a valid interface name, as it goes into a path below and onto ip's command lines.
        if (left == next || !TextRules.IsInterfaceName(left)) return;
        ReturnLinkLocal(left);
        RemoveWhatWasLeft(left);
    }

    /// <summary>dhcpcd removes its addresses and routes when SIGTERM ends it, but one that had to be
    /// killed after the grace period leaves them: the WAN kept the ISP's address with IPv6 switched
    /// off (namespace test, dhcpcd busy 3 s after its first bind). So routerd takes them away
    /// itself: the global addresses with a lifetime (what DHCPv6 and router advertisements give;
    /// a static IPv6 WAN's are permanent and stay) and the routes dhcpcd made (protocols ra and
    /// dhcp). An interface that went has nothing left.</summary>
    void RemoveWhatWasLeft(string device)
    {
        if (!Directory.Exists(Path.Combine(procSys, "net", "ipv6", "conf", device))) return;
        try
        {
            var r = ProcessRunner.Run(ip, ["-6", "-force", "-batch", "-"],
                $"address flush dev {device} scope global dynamic\nroute flush dev {device} proto ra\nroute flush dev {device} proto dhcp\n");
            if (!r.Succeeded) LogLeftovers(log, device, r.StandardError.Trim());
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException or InvalidOperationException)
        {
            LogLeftovers(log, device, e.Message);
        }
    }

    /// <summary>dhcpcd takes link-local addressing over from the kernel on the interfaces it solicits
    /// on (addr_gen_mode none, its own fe80:: address) and removes its address when it stops. An
    /// interface it leaves would have no link-local address at all, and without one the kernel's
    /// neighbour discovery fails: a static IPv6 WAN's gateway would be unreachable. Setting the mode
    /// back (eui64) makes the kernel generate one at once. An interface that went (a PPP session)
    /// has nothing to give back.</summary>
    void ReturnLinkLocal(string device)
    {
        string mode = Path.Combine(procSys, "net", "ipv6", "conf", device, "addr_gen_mode");
        try
        {
            if (File.Exists(mode) && File.ReadAllText(mode).Trim() == "1") File.WriteAllText(mode, "0\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogLinkLocal(log, device, e.Message);
        }
    }

    public void Dispose() => supervisor?.Stop();

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not remove the IPv6 addresses and routes dhcpcd left on {Device}: {Error}")]
    static partial void LogLeftovers(ILogger log, string device, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not give {Device}'s link-local address back to the kernel: {Error}")]
    static partial void LogLinkLocal(ILogger log, string device, string error);
}
