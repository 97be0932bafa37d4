using System.Text;
using Routerd.Core.Firewall;
using Routerd.Core.Settings;

namespace Routerd.Core.VirtualServers;

/// <summary>The virtual servers' part of <c>table inet routerd</c>, for the balancer the kernel offers
/// (<see cref="Board.Balancer"/>, resolved at start). Only enabled servers appear; with none, nothing
/// does, and the rest of the table is as it was before virtual servers existed.
///
/// nftables: a verdict map from protocol . WAN port to one chain per server, whose one rule picks
/// the backend with `numgen inc mod TOTAL` over a map of weight slots (<see cref="BackendPool.ToNft"/>
/// fills it with the healthy backends, so health moves elements, never the ruleset). It runs in
/// its own nat chain just before the port forwards' (`dstnat - 1`): the first chain that NATs a
/// connection decides, and a server without a healthy backend falls through to no forward.
/// Forwarded connections then pass the forward chain and hairpin exactly as port forwards do
/// (`ct status dnat`).
///
/// IPVS: nftables stays the one place that decides what is forwarded: it marks a connection to a
/// server's port with the server's firewall mark and lets it into the input path, where IPVS's
/// fwmark service takes it over (after the filter hook) and balances it by its own scheduler.</summary>
public static class VirtualServerRenderer
{
    /// <summary>routerd's IPVS marks are this prefix and the server's id (16 bits): a service of
    /// another mark is someone else's and left alone.</summary>
    public const uint MarkPrefix = 0x52440000, MarkMask = 0xffff0000;

    public static uint Mark(VirtualServerPlan s) => MarkPrefix | (uint)s.Id;

    public static string SlotMap(VirtualServerPlan s) => $"vs_{s.Id}_backends";
    static string Chain(VirtualServerPlan s) => $"vs_{s.Id}";

    public static bool UsesIpvs(Board board) => board.Balancer == Balancers.Ipvs;

    /// <summary>The maps and chains, inside the table's braces ("" when no server is enabled).</summary>
    public static string Declarations(DesiredState state, string wan, string lan)
    {
        var servers = state.VirtualServers.Where(s => s.Enabled).ToList();
        if (servers.Count == 0) return "";
        return UsesIpvs(state.Board) ? IpvsDeclarations(servers, wan, lan) : NftDeclarations(servers, wan, lan);
    }

    static string Key(VirtualServerPlan s) => $"{ForwardRules.ProtocolName(s.Protocol)} . {s.WanPort}";

    static string NftDeclarations(List<VirtualServerPlan> servers, string wan, string lan)
    {
        var t = new StringBuilder();
        t.Append($$"""
            	map virtual_servers {
            		type inet_proto . inet_service : verdict
            		comment "virtual servers: protocol . WAN port to the chain that picks a backend"
            		elements = { {{string.Join(", ", servers.Select(s => $"{Key(s)} : jump {Chain(s)}"))}} }
            	}


            """);
        foreach (var s in servers)
            t.Append($$"""
                	map {{SlotMap(s)}} {
                		typeof numgen inc mod {{s.TotalWeight}} : ip daddr . th dport
                		comment "virtual server {{s.Id}}: one slot per unit of weight, each to a backend in the pool (address . port)"
                	}

                	chain {{Chain(s)}} {
                		meta l4proto {{ForwardRules.ProtocolName(s.Protocol)}} dnat ip to numgen inc mod {{s.TotalWeight}} map @{{SlotMap(s)}} comment "each new connection takes the next slot: every backend gets its weight's share"
                	}


                """);
        t.Append($$"""
            	chain virtual_dstnat {
            		type nat hook prerouting priority dstnat - 1; policy accept;
            		iifname {{wan}} fib daddr . iif type local meta l4proto . th dport vmap @virtual_servers comment "a connection from the internet to a virtual server's port of the WAN address goes to one of its backends"
            		iifname {{lan}} fib daddr . iif type != local fib daddr type local meta l4proto . th dport vmap @virtual_servers comment "hairpin: a LAN device using the WAN address reaches the same backends"
            	}


            """);
        return t.ToString();
    }

    static string IpvsDeclarations(List<VirtualServerPlan> servers, string wan, string lan) => $$"""
        	map virtual_server_marks {
        		type inet_proto . inet_service : mark
        		comment "virtual servers: protocol . WAN port to the firewall mark of the server's IPVS service"
        		elements = { {{string.Join(", ", servers.Select(s => $"{Key(s)} : 0x{Mark(s):x8}"))}} }
        	}

        	chain virtual_mark {
        		type filter hook prerouting priority mangle; policy accept;
        		iifname {{wan}} fib daddr . iif type local meta mark set meta l4proto . th dport map @virtual_server_marks comment "a connection from the internet to a virtual server's port: IPVS's service key"
        		iifname {{lan}} fib daddr . iif type != local fib daddr type local meta mark set meta l4proto . th dport map @virtual_server_marks comment "hairpin: a LAN device using the WAN address reaches the same service"
        	}


        """;

    /// <summary>On IPVS's path, IPVS keeps conntrack's entries of the connections it handles up to
    /// date (its NAT included): the firewall is stateful, and a backend's answer that conntrack has
    /// never seen the question of is invalid and dropped by the forward chain. The key exists once
    /// ip_vs is loaded, which the IPVS balancer's being chosen at start means.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Sysctls(DesiredState state) =>
        UsesIpvs(state.Board) ? [new("net.ipv4.vs.conntrack", "1")] : [];

    /// <summary>Hairpin on IPVS's path: a LAN device's connection to the WAN address, which IPVS
    /// sent to a backend on the same LAN, takes the router's LAN address as its source, so the
    /// backend answers through the router (and IPVS) rather than straight to its neighbour. IPVS
    /// sends the NATed packet out through the output and postrouting hooks with the mark the
    /// prerouting chain set; it does not show as `ct status dnat`, so the mark is what matches.
    /// "" on the nftables path (the port forwards' hairpin rule covers it) or without servers.</summary>
    public static string HairpinMasquerade(DesiredState state, string lan, string lanNet) =>
        UsesIpvs(state.Board) && state.VirtualServers.Any(s => s.Enabled)
            ? $"\t\toifname {lan} ip saddr {lanNet} meta mark & 0x{MarkMask:x8} == 0x{MarkPrefix:x8} masquerade comment \"hairpin to a virtual server: the backend answers through the router and IPVS\"\n"
            : "";

    /// <summary>The input chain's rule that lets a marked connection on to IPVS (whose hook comes
    /// after the filter's): "" on the nftables path or without servers.</summary>
    public static string InputAccept(DesiredState state) =>
        UsesIpvs(state.Board) && state.VirtualServers.Any(s => s.Enabled)
            ? $"\t\tmeta mark & 0x{MarkMask:x8} == 0x{MarkPrefix:x8} accept comment \"a virtual server's connection: IPVS takes it over after this hook\"\n"
            : "";
}
