using System.Net.Sockets;
using Routerd.Core.Firewall;

namespace Routerd.Core.Diagnostics;

/// <summary>The connection tracer's part of <c>table inet routerd</c>: one chain with one rule,
/// added for the length of a trace and removed after it, never part of the rendered ruleset.
/// The rule sets <c>meta nftrace</c> on the matching packets only, so the kernel reports every
/// chain and rule each of them passes (NFT_MSG_TRACE), in this table and any other.
///
/// The chain sits in prerouting after conntrack (-200, so `ct state` is known) and before the
/// port forwards' destination NAT (-100, so the DNAT is seen). A full apply of the ruleset
/// replaces the table and takes the chain with it: the trace then ends early, nothing is left.</summary>
public static class TraceRenderer
{
    public const string ChainName = "tracer";
    public const int Priority = -160;
    public const string RuleComment = "the connection tracer (POST /api/diagnostics/trace): these packets report the path they take";

    /// <summary>Adds the chain (or finds the one a crashed trace left) and puts the plan's rule in it
    /// alone: one transaction.</summary>
    public static string Add(TracePlan plan)
    {
        string t = $"inet {NftRenderer.TableName} {ChainName}";
        string protocols = plan.Protocol == TracePlan.Both ? "{ tcp, udp }" : plan.Protocol;
        var match = new List<string> { $"meta l4proto {protocols} th dport {plan.Port}" };
        if (plan.From is { } from) match.Add($"{Family(from)} saddr {from}");
        if (plan.To is { } to) match.Add($"{Family(to)} daddr {to}");
        // Only packets that open a connection (or that no connection explains): an established
        // connection's packets are let through by its first, which is the one worth explaining.
        match.Add("ct state != { established, related }");
        return $$"""
            add chain {{t}} { type filter hook prerouting priority {{Priority}}; policy accept; }
            flush chain {{t}}
            add rule {{t}} {{string.Join(' ', match)}} meta nftrace set 1 comment "{{RuleComment}}"

            """;
    }

    /// <summary>Removes the chain and its rule; fails harmlessly when a full apply took them already.</summary>
    public static string Remove() =>
        $"flush chain inet {NftRenderer.TableName} {ChainName}\ndelete chain inet {NftRenderer.TableName} {ChainName}\n";

    static string Family(System.Net.IPAddress a) => a.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "ip";
}
