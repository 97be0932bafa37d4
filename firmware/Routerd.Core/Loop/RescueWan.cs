using Routerd.Core.Settings;

namespace Routerd.Core.Loop;

/// <summary>The rescue state (issue 18): the settings file was damaged and there was no good copy,
/// so the router runs on the board's defaults, admin/admin included. Until the owner has set a
/// password the WAN stays closed: no DHCP client, no dial, no WAN address or default route, so a
/// router nobody has claimed yet is not on the internet with a password everyone knows. The LAN
/// and the web UI work as on a first boot; setting the password ends the rescue state.</summary>
public static class RescueWan
{
    public const string Code = "wan/RESCUE";

    public static bool Closed(bool rescue, RouterSettings settings) => rescue && settings.Admin.MustChangePassword;

    /// <summary>What the appliers get instead of <paramref name="config"/>: the WAN's client and
    /// pppd stopped, only the LAN's addresses, no default route (the WAN port's addresses are
    /// removed: routerd owns them).</summary>
    public static RenderedConfig Close(RenderedConfig config) => config with
    {
        DhcpClient = null,
        Pppd = null,
        Network = config.Network with
        {
            Addresses = config.Network.Addresses.Where(a => a.Device == config.Network.Bridge).ToList(),
            DefaultRoute = null,
        },
    };

    public static WanStatus Status(WanStatus wan) => wan with
    {
        Code = Code,
        Address = null,
        Gateway = null,
        SessionId = null,
        Message = "the settings were lost (damaged file, no good copy): the internet connection stays off until the admin password is set",
    };
}
