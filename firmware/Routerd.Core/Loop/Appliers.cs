using Routerd.Core.Firewall;
using Routerd.Core.Lan;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Core.Loop;

// The OS edge as the loop sees it: one small interface per facility, each applying a
// rendered artifact idempotently (the same input twice changes nothing). Implementations live
// in Routerd.Platform; tests use hand-written fakes.

public interface IFirewall
{
    /// <summary>Checks a ruleset (and its set elements) without applying it; the error text, or null when valid.</summary>
    string? Check(string ruleset, SetElements sets);
    /// <summary>Loads the ruleset with its set elements in one transaction when the ruleset
    /// changed; when only the elements changed, replaces just those.</summary>
    /// <param name="reload">load the whole ruleset even when it is the loaded one: the flowtable
    /// is made anew and every connection in it goes back through the rules (FastPathDecision.MustEvict).</param>
    /// <returns>true when the kernel's ruleset was replaced, false when it was already this one.</returns>
    bool Apply(string ruleset, SetElements sets, bool reload = false);
}

public interface ITrafficControl
{
    /// <summary>The best leaf qdisc the running kernel has.</summary>
    LeafQdisc Leaf { get; }
    /// <returns>true when the queues were changed, false when they already matched.</returns>
    bool Apply(TcPlan plan);
}

public interface ISysctls
{
    void Apply(IReadOnlyList<KeyValuePair<string, string>> values);
}

public interface INetworkConfigurator
{
    /// <returns>the commands that were needed (empty when the system already matched the plan).</returns>
    IReadOnlyList<string> Apply(NetworkPlan plan);
    /// <summary>The interfaces that exist now, by name, with their MAC where they have one (for
    /// validating settings: a port must exist, a port forward must not name the router).</summary>
    IReadOnlyDictionary<string, MacAddress?> Interfaces();
}

/// <summary>The carrier of the LAN's wired ports (Lan/LanReconnect.cs says why and for how long).</summary>
public interface IPortCarrier
{
    /// <summary>Takes the ports' links down and, after <paramref name="down"/>, up again; returns at
    /// once (the wait is not the loop's). A failure is the adapter's to log: the next apply brings
    /// a port that stayed down up again, since every LAN port is in the plan's links to have up.</summary>
    void Bounce(IReadOnlyList<string> ports, TimeSpan down);
}

public interface IDnsService
{
    void Apply(DnsmasqConfig config);
    int? Pid { get; }
}

public interface IDhcpClient
{
    /// <summary>Starts, restarts or (with null) stops the WAN's DHCP client.</summary>
    void Apply(DhcpClientPlan? plan);
}

public interface IDhcp6Client
{
    /// <summary>Starts, restarts or (with null) stops the WAN's DHCPv6 client.</summary>
    void Apply(Ipv6.Dhcp6ClientPlan? plan);
}

/// <summary>An apply step failed; <see cref="Code"/> is the structured status code ("firewall/NFT_FAILED").</summary>
public sealed class ApplyException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>Remembers the last WAN DHCP report across a routerd restart (not a reboot), so a
/// restarted routerd keeps the WAN address and route instead of tearing them down until the
/// DHCP client reports again.</summary>
public interface IWanLeaseMemory
{
    Wan.DhcpHookReport? Load();
    void Save(Wan.DhcpHookReport? report);
}
