using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging;
using Routerd.Core.Firewall;
using Routerd.Core.Settings;
using Routerd.Core.VirtualServers;

namespace Routerd.Core.Loop;

// Virtual servers: created, changed and deleted through the loop like forwards, through the
// ordinary checked commit. Only creating or deleting a server changes the ruleset (its chain and
// slot map); an edit of one, and what changes all the time — which backends are healthy, where a
// device is now, how many connections each holds (weighted least-connections on nftables) — moves
// only map elements (nftables) or the IPVS destinations, batched with the burst like the VIP
// sets. The health checker (a hosted service) reports; the loop decides.
public sealed partial class Router
{
    /// <summary>The health checks' verdicts by (server id, backend key); replaced, never changed in place, so the snapshot can hold it.</summary>
    ImmutableDictionary<(int Server, string Backend), BackendHealth> backendHealth = ImmutableDictionary<(int, string), BackendHealth>.Empty;
    /// <summary>The IPVS plan last applied (its <see cref="IpvsPlan.Describe"/>).</summary>
    string? appliedIpvs;
    /// <summary>The last count of connections per backend of the weighted least-connections servers (nftables path).</summary>
    IReadOnlyDictionary<(int Server, IPAddress Address, int Port), int> backendConnections = new Dictionary<(int, IPAddress, int), int>();

    BackendPool PoolOf(DesiredState s, IReadOnlyDictionary<(int Server, string Backend), BackendHealth> health,
        IReadOnlyDictionary<(int Server, IPAddress Address, int Port), int>? connections = null) =>
        BackendPool.From(s.VirtualServers, mac => devices.Ipv4Of(mac, s.Lan.Address), (id, key) => health.GetValueOrDefault((id, key)),
            connections is null ? null : (id, address, port) => connections.TryGetValue((id, address, port), out int n) ? n : null);

    BackendPool PoolOf(DesiredState s) => PoolOf(s, backendHealth, backendConnections);

    /// <summary>The servers as the last snapshot has them, each backend with its address and health.</summary>
    public BackendPool VirtualServers() => PoolOf(snapshot.State, snapshot.BackendHealth);

    /// <summary>The virtual servers' map elements: which ports lead to which server, and on nftables each server's slots.</summary>
    string VirtualServerElementsOf(DesiredState s) => VirtualServerRenderer.Elements(s, PoolOf(s));

    /// <summary>An enabled weighted least-connections server on the nftables path: its slots follow
    /// counts of its backends' connections, which the health checker takes after each round.</summary>
    public bool BalancesByConnections()
    {
        var state = snapshot.State;
        return !VirtualServerRenderer.UsesIpvs(state.Board) && state.VirtualServers.Any(v => v.Enabled && v.Scheduler == Scheduler.WeightedLeastConnections);
    }

    object? OnBackendsCounted(BackendsCounted c)
    {
        backendConnections = c.Counts;
        setsDirty = true; // the sets are loaded only if the shares moved a slot
        return null;
    }

    /// <summary>What the health checker should try now: each backend of an enabled TCP server that has an address.</summary>
    public IReadOnlyList<(int Server, string Backend, IPAddress Address, int Port)> ProbeTargets() =>
        VirtualServers().Servers.Where(s => s.Server.Enabled && s.Server.Protocol == ForwardProtocols.Tcp)
            .SelectMany(s => s.Backends.Where(b => b.Address is not null).Select(b => (s.Server.Id, b.Backend.Key, b.Address!, b.Backend.Port)))
            .ToList();

    /// <summary>Creates (<paramref name="id"/> null), replaces or (<paramref name="server"/> null)
    /// deletes a virtual server; the answer names its id, or that <paramref name="id"/> names none.</summary>
    public Task<ForwardChange> EditVirtualServerAsync(int? id, VirtualServer? server)
    {
        var edit = new EditVirtualServer(id, server);
        return EditAsync(edit, () => edit.AssignedId);
    }

    object OnEditVirtualServer(EditVirtualServer e)
    {
        if (EditById(settings.VirtualServers, e.Id, e.Server, v => v.Id, (v, id) => v with { Id = id }) is not { } edit) return ForwardChange.Missing;
        var (list, newId) = edit;
        e.AssignedId = newId;
        var result = Commit(settings with { VirtualServers = list });
        // Verdicts stay with the backends that remain (a toggle, a new weight); the others' are dropped.
        var kept = state.VirtualServers.SelectMany(s => s.Backends.Select(b => (s.Id, b.Key))).ToHashSet();
        backendHealth = backendHealth.RemoveRange(backendHealth.Keys.Where(k => !kept.Contains(k)));
        return result;
    }

    /// <summary>A forward must not take a virtual server's port: named at the edited forward.</summary>
    void RefuseServerPorts(IReadOnlyList<ForwardPlan> forwards, int edited, List<FieldError> errors)
    {
        foreach (var (server, forward) in VirtualServerRules.Clashes(state.VirtualServers, forwards))
            if (forward.Id == edited)
                errors.Add(new($"forwards[{forwards.ToList().IndexOf(forward)}].wanPort",
                    $"{ForwardRules.ProtocolName(server.Protocol)} port {server.WanPort} is virtual server {server.Id}'s already"));
    }

    object? OnBackendsProbed(BackendsProbed p)
    {
        var next = backendHealth;
        foreach (var (server, backend, up) in p.Results)
        {
            var health = up ? BackendHealth.Up : BackendHealth.Down;
            if ((next.TryGetValue((server, backend), out var was) ? was : BackendHealth.Unknown) == health) continue;
            next = next.SetItem((server, backend), health);
            // The first verdict of a backend that answers is no news; every other change is.
            if (!(up && !backendHealth.ContainsKey((server, backend)))) LogBackendHealth(log, server, backend, up ? "up: back in the pool" : "down: out of the pool");
        }
        if (next == backendHealth) return null;
        backendHealth = next;
        setsDirty = true;
        return null;
    }

    /// <summary>On IPVS's path, brings routerd's services to the pool's plan when it differs from
    /// the last one applied (or that failed).</summary>
    void ApplyIpvs(bool force)
    {
        if (appliers.Ipvs is not { } ipvs || !VirtualServerRenderer.UsesIpvs(state.Board)) return;
        var plan = PoolOf(state).ToIpvs();
        string text = plan.Describe();
        Step("balancer", !force && text == appliedIpvs, () =>
        {
            ipvs.Apply(plan);
            appliedIpvs = text;
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "virtual server {Server}: backend {Backend} {Verdict}")]
    static partial void LogBackendHealth(ILogger log, int server, string backend, string verdict);
}
