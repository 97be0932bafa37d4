using Routerd.Core.Settings;

namespace Routerd.Core.Firewall;

/// <summary>The guest Wi-Fi's part of the ruleset: guests reach the internet (through the same
/// upload and download chains as the LAN: NAT, MSS clamp, pause and usage counting apply to them
/// too) and of the router only DHCP and DNS; never the LAN, never each other (hostapd's ap_isolate
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
            		meta l4proto { tcp, udp } th dport 53 accept comment "DNS queries to the router's resolver"
            		icmp type { destination-unreachable, time-exceeded, parameter-problem } accept comment "errors a host needs (path MTU discovery)"
            		counter reject comment "nothing else of the router: not the web UI, the API or ssh"
            	}

            """
        : "";

    /// <summary>In chain srcnat.</summary>
    static string GuestMasquerade(DesiredState state, string wan) => state.Wifi?.Guest is { } g
        ? $"\t\toifname {wan} ip saddr {g.Subnet} masquerade comment \"guests share the WAN address\"\n"
        : "";
}
