using Microsoft.Extensions.Logging;
using Routerd.Core.Loop;
using Routerd.Platform.Processes;
using Routerd.Core.Lan;
using Routerd.Core.Qos;

namespace Routerd.Platform.Dnsmasq;

/// <summary>Runs dnsmasq as a supervised child. A changed main file needs a restart (dnsmasq
/// reads it once); changed static leases or upstream servers only need SIGHUP, which keeps the
/// DNS cache; unchanged files do nothing at all.</summary>
public sealed class DnsmasqService(string dnsmasq, string runDir, string logDir, ILogger log) : IDnsService, IDisposable
{
    Supervisor? supervisor;

    public int? Pid => supervisor?.Pid;

    public void Apply(DnsmasqConfig config)
    {
        string main = Path.Combine(runDir, DnsmasqConfig.MainFile);
        bool mainChanged = AtomicFile.Write(main, config.Main);
        bool reloadable = AtomicFile.Write(Path.Combine(runDir, DnsmasqConfig.HostsFile), config.Hosts)
                        | AtomicFile.Write(Path.Combine(runDir, DnsmasqConfig.ServersFile), config.Servers);
        if (supervisor is null || mainChanged)
        {
            supervisor?.Stop();
            StartWith(main);
        }
        else if (reloadable)
        {
            supervisor.Signal(Signals.SIGHUP);
        }
    }

    /// <summary>Empties the lease database (factory reset). dnsmasq keeps leases in memory and
    /// writes them back, so it is stopped while the file goes and started again if it ran.</summary>
    public void ForgetLeases(string leaseFile)
    {
        bool running = supervisor is not null;
        supervisor?.Stop();
        supervisor = null;
        File.Delete(leaseFile);
        if (running) StartWith(Path.Combine(runDir, DnsmasqConfig.MainFile));
    }

    void StartWith(string main)
    {
        supervisor = new Supervisor("dnsmasq", dnsmasq,
            ["--keep-in-foreground", "--log-facility=-", "--pid-file=", $"--conf-file={main}"], runDir, logDir, log);
        supervisor.Start();
    }

    public void Dispose() => supervisor?.Stop();
}
