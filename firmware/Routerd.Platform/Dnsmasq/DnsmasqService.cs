using Microsoft.Extensions.Logging;
using Routerd.Core.Loop;
using Routerd.Platform.Processes;
using Routerd.Core.Lan;
using Routerd.Core.Qos;

namespace Routerd.Platform.Dnsmasq;

/// <summary>Runs dnsmasq as supervised children: the LAN's instance always, the guest Wi-Fi's own
/// instance (Wifi/GuestDnsmasqRenderer.cs) while the guest network is on. A changed main file
/// needs a restart (dnsmasq reads it once); changed static leases or upstream servers only need
/// SIGHUP, which keeps the DNS cache; unchanged files do nothing at all.
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
    Supervisor? guest;

    public int? Pid => supervisor?.Pid;
    /// <summary>The guest Wi-Fi's instance (null: not running).</summary>
    public int? GuestPid => guest?.Pid;

    public void Apply(DnsmasqConfig config)
    {
        string main = Path.Combine(runDir, DnsmasqConfig.MainFile);
        bool mainChanged = AtomicFile.Write(main, config.Main);
        string hosts = Path.Combine(runDir, DnsmasqConfig.HostsFile), servers = Path.Combine(runDir, DnsmasqConfig.ServersFile);
        bool hostsChanged = AtomicFile.Write(hosts, config.Hosts);
        bool serversChanged = AtomicFile.Write(servers, config.Servers);
        if (FileModes.GroupId(Group) is { } gid)
        {
            FileModes.GrantGroup(runDir, gid);
            FileModes.GrantGroup(hosts, gid);
            FileModes.GrantGroup(servers, gid);
        }
        if (supervisor is null || mainChanged)
        {
            supervisor?.Stop();
            supervisor = Start("dnsmasq", main);
        }
        else if (hostsChanged || serversChanged)
        {
            supervisor.Signal(Signals.SIGHUP);
        }
        ApplyGuest(config.Guest, serversChanged);
    }

    /// <summary>The guest instance shares the upstream servers' file (SIGHUP when it changed) and
    /// nothing else of the LAN's.</summary>
    void ApplyGuest(string? text, bool serversChanged)
    {
        string file = Path.Combine(runDir, Core.Wifi.GuestDnsmasqRenderer.MainFile);
        if (text is null)
        {
            guest?.Stop();
            guest = null;
            File.Delete(file);
            return;
        }
        if (AtomicFile.Write(file, text) || guest is null)
        {
            guest?.Stop();
            guest = Start("dnsmasq-guest", file);
        }
        else if (serversChanged)
        {
            guest.Signal(Signals.SIGHUP);
        }
    }

    /// <summary>Both instances' lease files in the state directory <paramref name="stateDir"/>: the
    /// LAN's and the guest network's. Made private at start, read by the device watcher, emptied by a
    /// factory reset.</summary>
    public static IReadOnlyList<string> LeaseFiles(string stateDir) =>
        [Path.Combine(stateDir, DnsmasqConfig.LeaseFile), Path.Combine(stateDir, Core.Wifi.GuestDnsmasqRenderer.LeaseFile)];

    /// <summary>Empties the lease databases (factory reset). dnsmasq keeps leases in memory and
    /// writes them back, so the instances are stopped while the files go and started again if they ran.</summary>
    public void ForgetLeases(IReadOnlyList<string> leaseFiles)
    {
        bool running = supervisor is not null, guestRunning = guest is not null;
        supervisor?.Stop();
        supervisor = null;
        guest?.Stop();
        guest = null;
        foreach (var f in leaseFiles)
        {
            File.Delete(f);
            PrivateLeaseFile(f);
        }
        if (running) supervisor = Start("dnsmasq", Path.Combine(runDir, DnsmasqConfig.MainFile));
        if (guestRunning) guest = Start("dnsmasq-guest", Path.Combine(runDir, Core.Wifi.GuestDnsmasqRenderer.MainFile));
    }

    /// <summary>dnsmasq sets umask 022 for itself and would create its lease file (device names and
    /// addresses) readable by all: it gets one that is root's alone, which it keeps (it only ever
    /// truncates and rewrites it).</summary>
    public static void PrivateLeaseFile(string leaseFile)
    {
        using (new FileStream(leaseFile, FileMode.OpenOrCreate, FileAccess.Write)) { }
        File.SetUnixFileMode(leaseFile, FileModes.OwnerOnly);
    }

    Supervisor Start(string name, string conf)
    {
        var s = new Supervisor(name, dnsmasq,
            ["--keep-in-foreground", "--log-facility=-", "--pid-file=", $"--user={User}", $"--group={Group}", $"--conf-file={conf}"], runDir, logDir, log);
        s.Start();
        return s;
    }

    public void Dispose()
    {
        guest?.Stop();
        supervisor?.Stop();
    }
}
