using System.Net;
using Routerd.Core.Diagnostics;
using Routerd.Core.Firewall;

namespace Routerd.Core.VirtualServers;

/// <summary>The kernel's IPVS as the loop drives it (Routerd.Platform/Ipvs): routerd's services
/// made to match a plan, idempotently; services of other marks are left alone.</summary>
public interface IIpvs
{
    void Apply(IpvsPlan plan);
}

/// <summary>Active connections per backend, from where the kernel keeps them: IPVS's own counters,
/// or the conntrack table on the nftables path. Read on demand (the API), never by the loop.</summary>
public interface IBackendConnections
{
    /// <returns>by (server id, backend address, backend port); a backend missing is not known.</returns>
    IReadOnlyDictionary<(int Server, IPAddress Address, int Port), int> Active(BackendPool pool);
}

/// <summary>The nftables path's counts: the kernel's connection table, read through the same
/// ctnetlink dump the device connections use; only entries to a server's WAN port are held.</summary>
public sealed class ConntrackBackendConnections(IConntrackReader conntrack) : IBackendConnections
{
    public IReadOnlyDictionary<(int Server, IPAddress Address, int Port), int> Active(BackendPool pool)
    {
        var ports = pool.Servers.Where(s => s.Server.Enabled).Select(s => s.Server.WanPort).ToHashSet();
        if (ports.Count == 0) return new Dictionary<(int, IPAddress, int), int>();
        return ConntrackCount.Count(pool, conntrack.Dump(e => e.Original.DestinationPort is int p && ports.Contains(p)));
    }
}

public static class ConntrackCount
{
    const byte Tcp = 6, Udp = 17, TcpEstablished = 3;

    /// <summary>Counts, per backend of each enabled server, the NATed connections to its WAN port
    /// whose answers come from that backend (TCP: established ones; UDP: every entry). An entry
    /// not NATed (the router's own health check to the backend) does not count.</summary>
    public static IReadOnlyDictionary<(int Server, IPAddress Address, int Port), int> Count(BackendPool pool, IEnumerable<ConntrackEntry> entries)
    {
        var servers = pool.Servers.Where(s => s.Server.Enabled).ToDictionary(s => (s.Server.Protocol, s.Server.WanPort), s => s.Server.Id);
        var counts = new Dictionary<(int, IPAddress, int), int>();
        foreach (var s in pool.Servers.Where(s => s.Server.Enabled))
            foreach (var b in s.Backends.Where(b => b.Address is not null))
                counts[(s.Server.Id, b.Address!, b.Backend.Port)] = 0;
        foreach (var e in entries)
        {
            ForwardProtocols protocol = e.Protocol switch { Tcp => ForwardProtocols.Tcp, Udp => ForwardProtocols.Udp, _ => 0 };
            if (protocol == 0 || e.Original.DestinationPort is not int wanPort || e.Reply.SourcePort is not int port) continue;
            if (e.Original.Destination.Equals(e.Reply.Source)) continue;
            if (protocol == ForwardProtocols.Tcp && e.TcpState != TcpEstablished) continue;
            if (!servers.TryGetValue((protocol, wanPort), out int id)) continue;
            var key = (id, e.Reply.Source, port);
            if (counts.TryGetValue(key, out int n)) counts[key] = n + 1;
        }
        return counts;
    }
}
