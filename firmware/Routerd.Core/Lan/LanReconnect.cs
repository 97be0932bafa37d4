namespace Routerd.Core.Lan;

/// <summary>After the LAN moved (<see cref="LanConflict"/>) its devices still hold leases in the
/// old subnet, with the old address as their gateway, which soon is gone from the bridge (and may
/// be the modem's own address): left alone, they keep them until the renewal at half the lease
/// (6 h by default) and are off the internet until then. dnsmasq is authoritative
/// (DnsmasqRenderer), so a request for an address of the old subnet is refused (NAK) and the
/// device takes one in the new subnet at once; what is missing is a reason to ask now. Routers
/// give it the way a restart does: a wired device that loses its link asks again when the link
/// comes back (DHCP INIT-REBOOT, RFC 2131 3.7: Windows, macOS, NetworkManager, systemd-networkd,
/// dhcpcd do), and a Wi-Fi station that is deauthenticated rejoins and asks again. (DHCP
/// FORCERENEW, RFC 3203, would be gentler, but dnsmasq does not send it and few clients accept it.)
/// It happens as the move starts, not when the old address goes: a device that moves then still
/// reaches the old address (the router's own) through its new gateway, so the owner's browser
/// stays attached, and can confirm from the new address without waiting for the deadline.</summary>
public static class LanReconnect
{
    /// <summary>How long the wired ports stay down: NetworkManager takes a carrier lost for less
    /// than 4 s for a glitch and keeps its lease; a real port's link also needs a second or two to
    /// come back up.</summary>
    public static readonly TimeSpan CarrierDown = TimeSpan.FromSeconds(6);

    /// <summary>The sentence the move's explanation ends with.</summary>
    public static string Explain(IReadOnlyList<string> ports, bool wifi) => (ports.Count > 0, wifi) switch
    {
        (true, true) => $"Cabled devices lost their link for {CarrierDown.TotalSeconds:0} s and Wi-Fi devices were disconnected, so that they take new addresses now.",
        (true, false) => $"Cabled devices lost their link for {CarrierDown.TotalSeconds:0} s, so that they take new addresses now.",
        (false, true) => "Wi-Fi devices were disconnected, so that they take new addresses now.",
        _ => "Devices get new addresses when they reconnect.",
    };
}
