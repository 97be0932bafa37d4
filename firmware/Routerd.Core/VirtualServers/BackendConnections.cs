using System.Net;
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

/// <summary>One conntrack entry as far as counting needs it: the original direction's destination
/// (the WAN address and port the client used) and the reply direction's source (the backend that
/// answers, after destination NAT).</summary>
public sealed record ConntrackFlow(ForwardProtocols Protocol, IPAddress OriginalDestination, int OriginalPort, IPAddress ReplySource, int ReplyPort, bool Established);

public static class ConntrackCount
{
    /// <summary>Counts, per backend of each enabled server, the NATed connections to its WAN port
    /// whose answers come from that backend (TCP: established ones; UDP: every entry). An entry
    /// not NATed (the router's own health check to the backend) does not count.</summary>
    public static IReadOnlyDictionary<(int Server, IPAddress Address, int Port), int> Count(BackendPool pool, IEnumerable<ConntrackFlow> entries)
    {
        var servers = pool.Servers.Where(s => s.Server.Enabled).ToDictionary(s => (s.Server.Protocol, s.Server.WanPort), s => s.Server.Id);
        var counts = new Dictionary<(int, IPAddress, int), int>();
        foreach (var s in pool.Servers.Where(s => s.Server.Enabled))
            foreach (var b in s.Backends.Where(b => b.Address is not null))
                counts[(s.Server.Id, b.Address!, b.Backend.Port)] = 0;
        foreach (var e in entries)
        {
            if (e.OriginalDestination.Equals(e.ReplySource)) continue;
            if (e.Protocol == ForwardProtocols.Tcp && !e.Established) continue;
            if (!servers.TryGetValue((e.Protocol, e.OriginalPort), out int id)) continue;
            var key = (id, e.ReplySource, e.ReplyPort);
            if (counts.TryGetValue(key, out int n)) counts[key] = n + 1;
        }
        return counts;
    }
}
