using Routerd.Core.Settings;

namespace Routerd.Core.Firewall;

/// <summary>The guest Wi-Fi's part of the ruleset: guests reach the internet over IPv4 and IPv6
/// (through the same upload and download chains as the LAN: NAT for IPv4, MSS clamp, pause, usage
/// counting, the download's DSCP reset apply to them too) and of the router only DHCP(v6), DNS and
/// the ICMPv6 a link needs; never the LAN, never each other (hostapd's ap_isolate
/// stops it on the radio, the forward rule below when routed), never the web UI, API or ssh.
/// Empty when the guest network is off.</summary>
public static partial class NftRenderer
{
    static string? GuestInterface(DesiredState state) => state.Wifi?.Guest is { } g ? Quote(g.Interface) : null;

    /// <summary>In chain input, beside the LAN's and the WAN's jumps.</summary>
    static string GuestInput(DesiredState state) => GuestInterface(state) is { } guest
        ? $"\t\tiifname {guest} jump input_guest comment \"guests on the guest Wi-Fi\"\n"
        : "";

    /// <summary>Entries of the forward chain's path map: guests to the internet and back.</summary>
    static string GuestPaths(DesiredState state, string wan) => GuestInterface(state) is { } guest
        ? $", {guest} . {wan} : jump upload, {wan} . {guest} : jump download"
        : "";

    /// <summary>In chain forward, after the path map (whose guest entries end in accept).</summary>
    static string GuestForward(DesiredState state) => GuestInterface(state) is { } guest
        ? $$"""
            		iifname {{guest}} counter reject with icmpx admin-prohibited comment "guests reach the internet only: not the LAN, not each other"
            		oifname {{guest}} counter reject with icmpx admin-prohibited comment "and the LAN does not reach into the guest network"

            """
        : "";

    static string GuestChains(DesiredState state) => GuestInterface(state) is not null
        ? """

            	chain input_guest {
            		udp dport 67 accept comment "DHCP requests from guests"
            		udp dport 547 accept comment "DHCPv6 information requests from guests (their DNS server)"
            		meta l4proto { tcp, udp } th dport 53 fib daddr . iif type local accept comment "DNS to the guests' own resolver only (on the guest link): the LAN's knows the LAN's names"
            		icmp type { destination-unreachable, time-exceeded, parameter-problem } accept comment "errors a host needs (path MTU discovery)"
            		icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-report, mld2-listener-report } accept comment "what IPv6 needs on the guest link: router solicitation, neighbour discovery, errors"
            		counter reject comment "nothing else of the router: not the web UI, the API or ssh"
            	}

            """
        : "";

    /// <summary>Entries of the IPv6-off rule's set: guests' IPv6 shut too.</summary>
    static string GuestIpv6Off(DesiredState state, string wan) => GuestInterface(state) is { } guest
        ? $", {guest} . {wan}, {wan} . {guest}"
        : "";

    /// <summary>In chain output: what the router sends to the guests is treated as what it sends
    /// to the LAN (chain to_lan), as the download path treats the guests' downloads.</summary>
    static string GuestToLan(DesiredState state, string lan) => GuestInterface(state) is { } guest
        ? $"oifname {{ {lan}, {guest} }} jump to_lan comment \"the router's own packets to the LAN, its radios and the guest Wi-Fi: classified as downloads are\""
        : $"oifname {lan} jump to_lan comment \"the router's own packets to the LAN and its radios: classified as downloads are\"";

    /// <summary>In chain srcnat.</summary>
    static string GuestMasquerade(DesiredState state, string wan) => state.Wifi?.Guest is { } g
        ? $"\t\toifname {wan} ip saddr {g.Subnet} masquerade comment \"guests share the WAN address\"\n"
        : "";
}
