using System.Text;
using Routerd.Core.Firewall;
using Routerd.Core.Settings;

namespace Routerd.Core.VirtualServers;

/// <summary>The virtual servers' part of <c>table inet routerd</c>, for the balancer the kernel offers
/// (<see cref="Board.Balancer"/>, resolved at start). Without servers nothing appears, and the rest
/// of the table is as it was before virtual servers existed.
///
/// The ruleset names only which servers exist (by id): everything an owner edits — enabled,
/// protocol, WAN port, backends, weights — and what the router observes — health, addresses,
/// load — lives in map elements (<see cref="Elements"/>), loaded with the other sets. So editing a
/// server moves elements; only creating or deleting one loads the ruleset.
///
/// nftables: a verdict map from protocol . WAN port to one chain per server, whose one rule picks
/// the backend with `numgen inc mod SLOTS` over a map of slots (<see cref="BackendPool.ToNft"/>
/// fills it with the healthy backends by weight). It runs in
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

    /// <summary>The maps and chains, inside the table's braces ("" without servers).</summary>
    public static string Declarations(DesiredState state, string wan, string lan)
    {
        if (state.VirtualServers.Count == 0) return "";
        return UsesIpvs(state.Board) ? IpvsDeclarations(wan, lan) : NftDeclarations(state.VirtualServers, wan, lan);
    }

    static string Key(VirtualServerPlan s) => $"{ForwardRules.ProtocolName(s.Protocol)} . {s.WanPort}";

    const string ServersMap = "virtual_servers", MarksMap = "virtual_server_marks";

    /// <summary>The elements of the maps <see cref="Declarations"/> names ("" without servers): each
    /// enabled server's protocol . WAN port to its chain (nftables) or its mark (IPVS), and on
    /// nftables each server's slots. Flushed and filled in one script with the other sets.</summary>
    public static string Elements(DesiredState state, BackendPool pool)
    {
        if (state.VirtualServers.Count == 0) return "";
        bool ipvs = UsesIpvs(state.Board);
        string map = ipvs ? MarksMap : ServersMap;
        var b = new StringBuilder($"flush map inet {NftRenderer.TableName} {map}\n");
        var enabled = state.VirtualServers.Where(s => s.Enabled).ToList();
        if (enabled.Count > 0)
            b.Append($"add element inet {NftRenderer.TableName} {map} {{ {string.Join(", ", enabled.Select(s => ipvs ? $"{Key(s)} : 0x{Mark(s):x8}" : $"{Key(s)} : jump {Chain(s)}"))} }}\n");
        if (!ipvs) b.Append(pool.ToNft());
        return b.ToString();
    }

    static string NftDeclarations(IReadOnlyList<VirtualServerPlan> servers, string wan, string lan)
    {
        var t = new StringBuilder();
        t.Append($$"""
            	map {{ServersMap}} {
            		type inet_proto . inet_service : verdict
            		comment "virtual servers: protocol . WAN port of each enabled server to the chain that picks a backend"
            	}


            """);
        foreach (var s in servers)
            t.Append($$"""
                	map {{SlotMap(s)}} {
                		typeof numgen inc mod {{VirtualServerPlan.Slots}} : ip daddr . th dport
                		comment "virtual server {{s.Id}}: {{VirtualServerPlan.Slots}} slots shared by the backends in the pool (address . port)"
                	}

                	chain {{Chain(s)}} {
                		meta l4proto { tcp, udp } dnat ip to numgen inc mod {{VirtualServerPlan.Slots}} map @{{SlotMap(s)}} comment "each new connection takes the next slot: every backend gets its share"
                	}


                """);
        t.Append($$"""
            	chain virtual_dstnat {
            		type nat hook prerouting priority dstnat - 1; policy accept;
            		iifname {{wan}} fib daddr . iif type local meta l4proto . th dport vmap @{{ServersMap}} comment "a connection from the internet to a virtual server's port of the WAN address goes to one of its backends"
            		iifname {{lan}} fib daddr . iif type != local fib daddr type local meta l4proto . th dport vmap @{{ServersMap}} comment "hairpin: a LAN device using the WAN address reaches the same backends"
            	}


            """);
        return t.ToString();
    }

    static string IpvsDeclarations(string wan, string lan) => $$"""
        	map {{MarksMap}} {
        		type inet_proto . inet_service : mark
        		comment "virtual servers: protocol . WAN port of each enabled server to the firewall mark of its IPVS service"
        	}

        	chain virtual_mark {
        		type filter hook prerouting priority mangle; policy accept;
        		iifname {{wan}} fib daddr . iif type local meta mark set meta l4proto . th dport map @{{MarksMap}} comment "a connection from the internet to a virtual server's port: IPVS's service key"
        		iifname {{lan}} fib daddr . iif type != local fib daddr type local meta mark set meta l4proto . th dport map @{{MarksMap}} comment "hairpin: a LAN device using the WAN address reaches the same service"
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
        UsesIpvs(state.Board) && state.VirtualServers.Count > 0
            ? $"\t\toifname {lan} ip saddr {lanNet} meta mark & 0x{MarkMask:x8} == 0x{MarkPrefix:x8} masquerade comment \"hairpin to a virtual server: the backend answers through the router and IPVS\"\n"
            : "";

    /// <summary>The input chain's rule that lets a marked connection on to IPVS (whose hook comes
    /// after the filter's): "" on the nftables path or without servers.</summary>
    public static string InputAccept(DesiredState state) =>
        UsesIpvs(state.Board) && state.VirtualServers.Count > 0
            ? $"\t\tmeta mark & 0x{MarkMask:x8} == 0x{MarkPrefix:x8} accept comment \"a virtual server's connection: IPVS takes it over after this hook\"\n"
            : "";
}
