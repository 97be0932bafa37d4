using Microsoft.Extensions.Logging;
using Routerd.Core.Loop;
using Routerd.Platform.Processes;
using Routerd.Core.Lan;
using Routerd.Core.Qos;

namespace Routerd.Platform.Dnsmasq;

/// <summary>Runs dnsmasq as a supervised child. A changed main file needs a restart (dnsmasq
/// reads it once); changed static leases or upstream servers only need SIGHUP, which keeps the
/// DNS cache; unchanged files do nothing at all.
///
/// dnsmasq parses what any LAN device sends, so it does not keep root: it drops to
/// <see cref="User"/>:<see cref="Group"/> after start (its own defaults, passed explicitly). On
/// SIGHUP it re-reads the static leases and the upstream servers as that user, so those two files
/// (no secrets in them) and the run directory's traverse bit belong to that group; everything else
/// in the run directory stays root's alone (the PPPoE secret, hostapd.conf, the control socket).</summary>
public sealed class DnsmasqService(string dnsmasq, string runDir, string logDir, ILogger log) : IDnsService, IDisposable
{
    public const string User = "nobody";
    public const string Group = "dip";
    Supervisor? supervisor;

    public int? Pid => supervisor?.Pid;

    public void Apply(DnsmasqConfig config)
    {
        string main = Path.Combine(runDir, DnsmasqConfig.MainFile);
        bool mainChanged = AtomicFile.Write(main, config.Main);
        string hosts = Path.Combine(runDir, DnsmasqConfig.HostsFile), servers = Path.Combine(runDir, DnsmasqConfig.ServersFile);
        bool reloadable = AtomicFile.Write(hosts, config.Hosts) | AtomicFile.Write(servers, config.Servers);
        if (FileModes.GroupId(Group) is { } gid)
        {
            FileModes.GrantGroup(runDir, gid);
            FileModes.GrantGroup(hosts, gid);
            FileModes.GrantGroup(servers, gid);
        }
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
        PrivateLeaseFile(leaseFile);
        if (running) StartWith(Path.Combine(runDir, DnsmasqConfig.MainFile));
    }

    /// <summary>dnsmasq sets umask 022 for itself and would create its lease file (device names and
    /// addresses) readable by all: it gets one that is root's alone, which it keeps (it only ever
    /// truncates and rewrites it).</summary>
    public static void PrivateLeaseFile(string leaseFile)
    {
        using (new FileStream(leaseFile, FileMode.OpenOrCreate, FileAccess.Write)) { }
        File.SetUnixFileMode(leaseFile, FileModes.OwnerOnly);
    }

    void StartWith(string main)
    {
        supervisor = new Supervisor("dnsmasq", dnsmasq,
            ["--keep-in-foreground", "--log-facility=-", "--pid-file=", $"--user={User}", $"--group={Group}", $"--conf-file={main}"], runDir, logDir, log);
        supervisor.Start();
    }

    public void Dispose() => supervisor?.Stop();
}
