namespace Routerd.Core.Firewall;

/// <summary>IPv6's part of the ruleset, kept apart from the rest so that it reads (and merges)
/// on its own. The inet table's chains already treat IPv6 like IPv4 where they can: inbound is
/// closed except replies (ct state), the WAN may not open connections into the LAN (chain
/// download), the LAN may go out (chain upload). IPv6 is never translated: no NAT66, the srcnat
/// rule matches IPv4 only. What IPv6 needs beyond that (RFC 4890, RFC 8415) is here.</summary>
public static partial class NftRenderer
{
    /// <summary>Echo requests to the router over IPv6 from the internet: enough to answer a
    /// reachability check, too few to be a flood amplifier.</summary>
    public const string Ipv6EchoRate = "5/second burst 10 packets";

    static string Ipv6Chains() => $$"""
        	chain input_lan_v6 {
        		udp dport 547 accept comment "DHCPv6 requests from LAN devices (dnsmasq)"
        	}

        	chain input_wan_v6 {
        		ip6 saddr fe80::/10 udp sport 547 udp dport 546 accept comment "DHCPv6 replies to our WAN client: only from link-local servers (RFC 8415)"
        		ip6 saddr fe80::/10 icmpv6 type { mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } accept comment "multicast listener discovery on the WAN link (RFC 4890), so switches keep forwarding our neighbour discovery"
        		icmpv6 type echo-request limit rate {{Ipv6EchoRate}} accept comment "IPv6 ping of the router, rate-limited (RFC 4890)"
        	}

        """;
}
