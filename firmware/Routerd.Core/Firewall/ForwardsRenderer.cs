namespace Routerd.Core.Firewall;

/// <summary>The port forwards' part of <c>table inet routerd</c>: the map and the chains that use
/// it. Which forwards exist and where they lead is not in this text but in the map's elements
/// (<see cref="ForwardMap"/>): adding, editing or toggling a forward, or a device renewing to
/// another address, loads elements only, never the ruleset.
///
/// The WAN address is never written here: `fib daddr . iif type local` asks whether the
/// destination is an address of the interface the packet came in on, so the rules follow a new
/// DHCP or PPPoE address by themselves and work the same on a static WAN. On the LAN side the
/// same test keeps the router's own LAN services (web UI, DNS) out: only a packet to a router
/// address that is not the LAN's (the WAN address: hairpin) is forwarded.</summary>
public static class ForwardsRenderer
{
    /// <summary>The map and the destination-NAT chain, inside the table's braces.</summary>
    public static string Declarations(string wan, string lan) => $$"""
        	map {{ForwardMap.MapName}} {
        		type inet_proto . inet_service : ipv4_addr . inet_service
        		comment "port forwards: protocol . WAN port to the device's current address . LAN port"
        	}

        	set {{ForwardPinholes.SetName}} {
        		type ipv6_addr . inet_proto . inet_service
        		comment "port forwards on IPv6: the device's global address . protocol . LAN port, open to the internet (no NAT66)"
        	}

        	chain {{UnsolicitedChain}} {
        		ip6 daddr . meta l4proto . th dport @{{ForwardPinholes.SetName}} return comment "IPv6: a port forward is a pinhole to its device's port; the connection goes on like a reply"
        		counter drop comment "the internet may not open connections into the LAN, except through a port forward"
        	}

        	chain forward_dstnat {
        		type nat hook prerouting priority dstnat; policy accept;
        		iifname {{wan}} fib daddr . iif type local dnat ip to meta l4proto . th dport map @{{ForwardMap.MapName}} comment "a connection from the internet to a forwarded port of the WAN address goes to its device"
        		iifname {{lan}} fib daddr . iif type != local fib daddr type local dnat ip to meta l4proto . th dport map @{{ForwardMap.MapName}} comment "hairpin: a LAN device using the WAN address reaches the same device; the router's LAN address stays the router's"
        	}


        """;

    /// <summary>The forward chain's download path lets connections through that the dstnat chain
    /// sent to a device (conntrack remembers it for every packet of the connection).</summary>
    public const string DnatPassed = "ct status & dnat == 0";

    /// <summary>Where the download path sends a connection the internet opens that no IPv4 forward
    /// translated: only an IPv6 pinhole lets it on. Its own chain, so that established traffic
    /// (nearly every packet) never reaches the lookup and IPv4 stays closed without one.</summary>
    public const string UnsolicitedChain = "download_unsolicited";

    /// <summary>The source-NAT rule for hairpin: the device's answer must come back through the
    /// router to be un-NATed, so the connection takes the router's LAN address as its source.
    /// Matched by the LAN source, not by `iifname`: where br_netfilter is loaded, a DNATed packet
    /// whose new destination is on the same bridge is bridged, not routed, and its postrouting
    /// hook has no input interface.</summary>
    public static string HairpinMasquerade(string lan, string lanNet) =>
        $"\t\toifname {lan} ip saddr {lanNet} ct status dnat masquerade comment \"hairpin: the forwarded device answers through the router, not straight to its LAN neighbour\"\n";
}
