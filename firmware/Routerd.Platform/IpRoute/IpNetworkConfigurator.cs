using Routerd.Core.Net;
using Routerd.Core.Loop;
using Routerd.Platform.Processes;

namespace Routerd.Platform.IpRoute;

/// <summary>Brings links, IPv4 addresses and the default route to the plan. Reads the current
/// state through netlink (fast, structured), lets <see cref="NetworkDiff"/> decide the difference
/// and writes it with one `ip -batch`: the commands are the same text a person would type, which
/// keeps the change log readable, and iproute2 already knows every kernel quirk of bridge
/// enslaving. What routerd added is recorded in <paramref name="ownershipFile"/> (run directory):
/// only that is ever removed.</summary>
public sealed class IpNetworkConfigurator(string ip, INetworkObserver observer, string ownershipFile) : INetworkConfigurator
{
    NetworkOwnership? owned;

    public IReadOnlyDictionary<string, MacAddress?> Interfaces() => observer.Links().DistinctBy(l => l.Name).ToDictionary(l => l.Name, l => l.Mac);

    public IReadOnlyList<string> Apply(NetworkPlan plan)
    {
        owned ??= File.Exists(ownershipFile) ? NetworkOwnership.Parse(File.ReadAllText(ownershipFile)) : NetworkOwnership.None;
        var change = NetworkDiff.Compute(plan, new ObservedNetwork(observer.Links(), observer.Addresses(), observer.Ipv4Routes())
        {
            // Only a static IPv6 WAN needs them (now or until its route is taken away): no dump otherwise.
            Ipv6Routes = plan.DefaultRoute6 is not null || owned.DefaultRoute6 is not null ? observer.Ipv6DefaultRoutes() : [],
        }, owned);
        if (change.Commands.Count > 0)
        {
            var r = ProcessRunner.Run(ip, ["-batch", "-"], string.Join('\n', change.Commands) + "\n");
            if (!r.Succeeded) throw new ApplyException("network/IP_FAILED", r.StandardError.Trim());
        }
        if (change.Owned.ToText() != owned.ToText())
        {
            string tmp = ownershipFile + ".tmp";
            File.WriteAllText(tmp, change.Owned.ToText());
            File.Move(tmp, ownershipFile, overwrite: true);
        }
        owned = change.Owned;
        // Reported after the rest was done: the status names the port, and the slice is tried
        // again at the next apply (the port may be plugged in by then).
        if (change.Missing is [var one])
            throw new ApplyException("network/NO_SUCH_INTERFACE", $"interface '{one}' does not exist");
        if (change.Missing.Count > 1)
            throw new ApplyException("network/NO_SUCH_INTERFACE", $"interfaces {string.Join(", ", change.Missing.Select(m => $"'{m}'"))} do not exist");
        return change.Commands;
    }
}
