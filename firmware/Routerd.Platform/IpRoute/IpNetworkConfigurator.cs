using System.Net.Sockets;
using Routerd.Core.Net;
using Routerd.Core.Loop;
using Routerd.Platform.Processes;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Platform.IpRoute;

/// <summary>Brings links, IPv4 addresses and the default route to the plan. Reads the current
/// state through netlink (fast, structured) and writes the difference with one `ip -batch`:
/// the commands are the same text a person would type, which keeps the change log readable and
/// the plan golden-testable, and iproute2 already knows every kernel quirk of bridge enslaving.
/// Objects routerd does not own (other interfaces, link-local and IPv6 addresses) are left alone.</summary>
public sealed class IpNetworkConfigurator(string ip, INetworkObserver observer) : INetworkConfigurator
{
    public IReadOnlySet<string> InterfaceNames() => observer.Links().Select(l => l.Name).ToHashSet();

    public IReadOnlyList<string> Apply(NetworkPlan plan)
    {
        var commands = new List<string>();
        var links = observer.Links().ToDictionary(l => l.Name);

        // The bridge first: ports can only be enslaved once it exists.
        if (!links.ContainsKey(plan.Bridge))
        {
            Run([$"link add {plan.Bridge} type bridge"], commands);
            links = observer.Links().ToDictionary(l => l.Name);
        }
        foreach (var name in plan.Up.Concat(plan.BridgePorts))
            if (!links.ContainsKey(name))
                throw new ApplyException("network/NO_SUCH_INTERFACE", $"interface '{name}' does not exist");

        int bridgeIndex = links[plan.Bridge].Index;
        var batch = new List<string>();
        foreach (var port in plan.BridgePorts)
            if (links[port].MasterIndex != bridgeIndex) batch.Add($"link set dev {port} master {plan.Bridge}");
        foreach (var name in plan.Up)
            if (!links[name].AdminUp) batch.Add($"link set dev {name} up");

        var byIndex = links.Values.ToDictionary(l => l.Index, l => l.Name);
        var current = observer.Addresses()
            .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork && a.Scope == AddressScope.Universe)
            .Where(a => byIndex.TryGetValue(a.InterfaceIndex, out var n) && plan.OwnedInterfaces.Contains(n))
            .Select(a => new InterfaceAddress(byIndex[a.InterfaceIndex], new Ipv4Network(Ipv4Network.ToUInt(a.Address), a.PrefixLength)))
            .ToHashSet();
        var wanted = plan.Addresses.ToHashSet();

        // Order matters: a stale default route goes before the address it leaves through (the
        // kernel drops such routes with the address, and a later `route del` would fail); a new
        // route comes after the address that makes its gateway reachable.
        var defaults = observer.Ipv4Routes().Where(r => r.Destination is null).ToList();
        if (plan.DefaultRoute is null)
        {
            // Only a default route through an interface we own is ours to remove.
            foreach (var r in defaults)
                if (r.OutputInterfaceIndex is { } i && plan.OwnedInterfaces.Contains(byIndex.GetValueOrDefault(i) ?? ""))
                    batch.Add($"route del default dev {byIndex[i]}");
        }
        foreach (var stale in current.Except(wanted)) batch.Add($"addr del {stale.Address} dev {stale.Device}");
        foreach (var add in wanted.Except(current)) batch.Add($"addr add {add.Address} dev {add.Device}");
        if (plan.DefaultRoute is { } route)
        {
            var gw = Ipv4Network.FromUInt(route.Gateway);
            bool present = defaults.Any(r => gw.Equals(r.Gateway) && r.OutputInterfaceIndex is { } i && byIndex.GetValueOrDefault(i) == route.Device);
            if (!present) batch.Add($"route replace default via {gw} dev {route.Device}");
        }
        Run(batch, commands);
        return commands;
    }

    void Run(List<string> batch, List<string> log)
    {
        if (batch.Count == 0) return;
        var r = ProcessRunner.Run(ip, ["-batch", "-"], string.Join('\n', batch) + "\n");
        if (!r.Succeeded) throw new ApplyException("network/IP_FAILED", r.StandardError.Trim());
        log.AddRange(batch);
    }
}
