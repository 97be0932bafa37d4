using System.Net;
using System.Text;
using Routerd.Core.Firewall;
using Routerd.Core.Net;

namespace Routerd.Core.VirtualServers;

/// <summary>What the health checks last said about a backend.</summary>
public enum BackendHealth
{
    /// <summary>Not checked yet: in the pool, so a new server works at once.</summary>
    Unknown,
    Up,
    /// <summary>The last TCP connect failed: out of the pool until one succeeds.</summary>
    Down,
    /// <summary>A UDP server's backend: a TCP connect would say nothing about it, so none is tried.</summary>
    Unchecked,
}

/// <summary>A backend and where it is now: its address (null: its device holds none on the LAN), its
/// health, and the connections it held at the last count (null: not counted; only a weighted
/// least-connections server on the nftables path is).</summary>
public sealed record BackendTarget(BackendPlan Backend, IPAddress? Address, BackendHealth Health, int? Connections = null)
{
    public bool InPool => Address is not null && Health != BackendHealth.Down;
}

/// <summary>A virtual server with each backend's address and health.</summary>
public sealed record ServerTarget(VirtualServerPlan Server, IReadOnlyList<BackendTarget> Backends);

/// <summary>Which backends take new connections right now. Built from the servers, the devices'
/// observed addresses and the health checks' verdicts, so a device that renews or a backend that
/// dies moves elements (nftables) or weights (IPVS) only, never the ruleset.</summary>
public sealed record BackendPool(IReadOnlyList<ServerTarget> Servers)
{
    public static readonly BackendPool Empty = new([]);

    /// <param name="addressOf">a device's current IPv4 address inside the LAN subnet, or null.</param>
    /// <param name="healthOf">the health of a backend of a server (by <see cref="BackendPlan.Key"/>).</param>
    /// <param name="connectionsOf">the connections a backend (server id, address, port) held at the last count, or null.</param>
    public static BackendPool From(IReadOnlyList<VirtualServerPlan> servers, Func<MacAddress, IPAddress?> addressOf, Func<int, string, BackendHealth> healthOf,
        Func<int, IPAddress, int, int?>? connectionsOf = null) =>
        new(servers.Select(s => new ServerTarget(s, s.Backends.Select(b =>
        {
            var address = b.Mac is { } mac ? addressOf(mac) : b.Address;
            return new BackendTarget(b, address,
                s.Protocol == ForwardProtocols.Udp ? BackendHealth.Unchecked : healthOf(s.Id, b.Key),
                address is null ? null : connectionsOf?.Invoke(s.Id, address, b.Port));
        }).ToList())).ToList());

    /// <summary>The nftables path's slot maps: each server's flushed, and an enabled one's filled, in
    /// one script (loaded with the other sets: no packet sees it half-filled). The chain counts new
    /// connections modulo <see cref="VirtualServerPlan.Slots"/>, so the slots stay that many
    /// whoever is down; the backends in the pool share them by <see cref="ShareOf"/>. A server
    /// without one leaves its map empty: the lookup fails and the connection is not forwarded.</summary>
    public string ToNft()
    {
        var b = new StringBuilder();
        foreach (var s in Servers)
        {
            string map = VirtualServerRenderer.SlotMap(s.Server);
            b.Append($"flush map inet {NftRenderer.TableName} {map}\n");
            var pool = s.Backends.Where(t => t.InPool).ToList();
            if (!s.Server.Enabled || pool.Count == 0) continue;
            var slots = Slots(pool.Select(t => ShareOf(s.Server, t)).ToList(), VirtualServerPlan.Slots);
            var elements = slots.Select((backend, slot) => $"{slot} : {pool[backend].Address} . {pool[backend].Backend.Port}");
            b.Append($"add element inet {NftRenderer.TableName} {map} {{ {string.Join(", ", elements)} }}\n");
        }
        return b.ToString();
    }

    /// <summary>Weighted least-connections without IPVS: IPVS gives each new connection to the
    /// backend with the fewest (connections + 1) / weight. nftables cannot count per packet, so
    /// routerd counts (conntrack, every health round) and shares the slots until the next count in
    /// proportion to weight / (connections + 1): an idle backend takes most new connections, one
    /// holding many long ones few (never none: a count is a moment old). Between counts the slots
    /// are fixed, so a burst within one round spreads by these shares rather than one by one.</summary>
    public const int LoadScale = 1000;

    /// <summary>A backend's claim on the slots: its weight (round-robin, or no count yet), or its
    /// weight over its connections + 1 (weighted least-connections), scaled to whole numbers.</summary>
    public static long ShareOf(VirtualServerPlan server, BackendTarget backend) =>
        server.Scheduler == Scheduler.WeightedLeastConnections && backend.Connections is { } held
            ? Math.Max(1, (long)backend.Backend.Weight * LoadScale / (held + 1))
            : (long)backend.Backend.Weight * LoadScale;

    /// <summary>The IPVS path's services: one per enabled server, keyed by its firewall mark;
    /// every backend with an address is a destination, a dead one with weight 0 (IPVS sends it
    /// no new connections and keeps its counters visible).</summary>
    public IpvsPlan ToIpvs() => new(Servers.Where(s => s.Server.Enabled).Select(s => new IpvsService(
        VirtualServerRenderer.Mark(s.Server),
        s.Server.Scheduler == Scheduler.RoundRobin ? "wrr" : "wlc",
        s.Backends.Where(t => t.Address is not null)
            .Select(t => new IpvsDestination(t.Address!, t.Backend.Port, t.InPool ? t.Backend.Weight : 0)).ToList())).ToList());

    /// <summary>Which backend (index into <paramref name="weights"/>) each of <paramref name="count"/>
    /// slots goes to: smooth weighted round-robin, so a backend's slots are spread over the cycle
    /// rather than bunched (weights 1/2/3 give 2,1,0,2,1,2), and over more slots than the weights
    /// add up to (a backend is down) each gets its share, within one slot.</summary>
    public static IReadOnlyList<int> Slots(IReadOnlyList<long> weights, int count)
    {
        var current = new long[weights.Count];
        long total = weights.Sum();
        var slots = new List<int>(count);
        for (int n = 0; n < count; n++)
        {
            int best = 0;
            for (int i = 0; i < weights.Count; i++)
            {
                current[i] += weights[i];
                if (current[i] > current[best]) best = i;
            }
            current[best] -= total;
            slots.Add(best);
        }
        return slots;
    }
}

/// <summary>What IPVS should hold of routerd's: services keyed by firewall mark, with their
/// destinations. Services with other marks (someone else's) are never touched.</summary>
public sealed record IpvsPlan(IReadOnlyList<IpvsService> Services)
{
    public static readonly IpvsPlan None = new([]);

    /// <summary>A stable text of the plan (for "unchanged since the last apply" and for logs).</summary>
    public string Describe() => string.Concat(Services.Select(s =>
        $"fwmark 0x{s.Mark:x8} {s.Scheduler}: {string.Join(", ", s.Destinations.Select(d => $"{d.Address}:{d.Port} w{d.Weight}"))}\n"));
}

public sealed record IpvsService(uint Mark, string Scheduler, IReadOnlyList<IpvsDestination> Destinations);

public sealed record IpvsDestination(IPAddress Address, int Port, int Weight);
