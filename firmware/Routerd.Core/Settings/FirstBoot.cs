namespace Routerd.Core.Settings;

/// <summary>The settings a router starts with before anyone has logged in: the board's
/// defaults, and an admin account whose default password must be changed at first login.</summary>
public static class FirstBoot
{
    public static RouterSettings Settings(Board board, Func<string, string> hashPassword)
    {
        var d = board.Defaults;
        return new RouterSettings
        {
            Admin = new AdminSettings
            {
                Username = d.AdminUsername,
                PasswordHash = hashPassword(d.AdminPassword),
                MustChangePassword = true,
            },
            Lan = new LanSettings
            {
                Address = d.LanAddress,
                Ports = board.LanPorts,
                Dhcp = new DhcpSettings { Start = d.DhcpStart, End = d.DhcpEnd, LeaseSeconds = d.LeaseSeconds },
            },
            Wan = new WanSettings { Mode = d.WanMode, Device = board.WanDevice },
            Wifi = new WifiSettings { Ssid = d.WifiSsid, Country = d.WifiCountry, Passphrase = d.WifiPassphrase ?? Wifi.WifiPassphrase.NewRandom() },
            Ipv6 = new Ipv6Settings { Ula = Ipv6.Ipv6Prefix.NewUniqueLocal().ToString() },
        };
    }

    /// <summary>Settings stored before the Wi-Fi key was required get one now, as at first
    /// boot, rather than keeping the router from starting or leaving the network open.</summary>
    public static RouterSettings WithWifiKey(RouterSettings s, Board board) =>
        s.Wifi.Passphrase is not null ? s : s with { Wifi = s.Wifi with { Passphrase = board.Defaults.WifiPassphrase ?? Wifi.WifiPassphrase.NewRandom() } };
}
