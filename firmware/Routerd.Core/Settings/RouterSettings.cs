namespace Routerd.Core.Settings;

// The settings as the user (web UI, API, an imported file) states them. Values stay in their
// written form (strings such as "192.168.1.1/24") so that validation can name the exact field
// that is wrong; DesiredStateBuilder turns validated settings into typed desired state.
//
// The properties have setters only because System.Text.Json's source generator treats init-only
// properties like constructor parameters and sets the missing ones to null, losing the defaults
// below. Nothing mutates settings after reading them: changes are made with `with`.

public sealed record RouterSettings
{
    /// <summary>Bumped with every change to this shape; SettingsMigrations brings older documents up.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; set; } = CurrentSchemaVersion;
    public AdminSettings Admin { get; set; } = new();
    public LanSettings Lan { get; set; } = new();
    public WanSettings Wan { get; set; } = new();
    public WifiSettings Wifi { get; set; } = new();
}

public sealed record AdminSettings
{
    public string Username { get; set; } = "admin";
    /// <summary>PasswordHasher format; never leaves the router.</summary>
    public string PasswordHash { get; set; } = "";
    /// <summary>True until the first-boot password is replaced: nothing else may be done before.</summary>
    public bool MustChangePassword { get; set; } = true;
}

public sealed record LanSettings
{
    /// <summary>The router's LAN address and prefix, e.g. 192.168.1.1/24.</summary>
    public string Address { get; set; } = "192.168.1.1/24";
    /// <summary>Physical ports joined into the LAN bridge.</summary>
    public IReadOnlyList<string> Ports { get; set; } = [];
    public DhcpSettings Dhcp { get; set; } = new();
    public IReadOnlyList<StaticLease> StaticLeases { get; set; } = [];
}

public sealed record DhcpSettings
{
    public bool Enabled { get; set; } = true;
    public string Start { get; set; } = "192.168.1.100";
    public string End { get; set; } = "192.168.1.249";
    public int LeaseSeconds { get; set; } = 12 * 3600;
}

public sealed record StaticLease
{
    public string Mac { get; set; } = "";
    public string Address { get; set; } = "";
    public string? Hostname { get; set; }
}

public static class WanModes
{
    public const string Dhcp = "dhcp";
    public const string Static = "static";
    public const string Pppoe = "pppoe";
}

public sealed record WanSettings
{
    public string Mode { get; set; } = WanModes.Dhcp;
    /// <summary>The WAN port (for PPPoE: the Ethernet port the modem is on).</summary>
    public string Device { get; set; } = "";
    public StaticWanSettings? Static { get; set; }
    public PppoeSettings? Pppoe { get; set; }
    /// <summary>DNS servers to use instead of the ones the WAN learns; empty means "from the ISP".</summary>
    public IReadOnlyList<string> DnsOverride { get; set; } = [];
}

public sealed record StaticWanSettings
{
    public string Address { get; set; } = "";
    public string Gateway { get; set; } = "";
    public IReadOnlyList<string> Dns { get; set; } = [];
}

public sealed record PppoeSettings
{
    public string Username { get; set; } = "";
    /// <summary>Secret: never rendered into an API response, a log or a command line.</summary>
    public string? Password { get; set; }
    public string? ServiceName { get; set; }
    public int Mtu { get; set; } = 1492;
}

public sealed record WifiSettings
{
    public bool Enabled { get; set; } = true;
    public string Ssid { get; set; } = "routerd";
    /// <summary>Secret: never rendered into an API response or a log.</summary>
    public string? Passphrase { get; set; }
    public string Security { get; set; } = "wpa2";
    public string Country { get; set; } = "DE";
}
