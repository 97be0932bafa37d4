using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Wifi;

/// <summary>The guest network as desired: a second BSS on the main radio (hostapd makes
/// <paramref name="Interface"/> for it), the main network's security with its own key, and its own
/// subnet: the router at <paramref name="Address"/>, the guests' DHCP pool the rest of it. Null in
/// the Wi-Fi plan when the guest network is off or the router has no radio.</summary>
public sealed record GuestPlan(string Interface, string Ssid, string Passphrase, Ipv4Network Address, DhcpPool Pool)
{
    /// <summary>Guests come and go: short leases give a small pool back soon.</summary>
    public const int LeaseSeconds = 3600;

    public string Subnet => $"{Address.Network}/{Address.PrefixLength}";
}
