namespace Routerd.Core.Settings;

// The settings as the user (web UI, API, an imported file) states them. Values stay in their
// written form (strings such as "192.168.1.1/24") so that validation can name the exact field
// that is wrong; DesiredStateBuilder turns validated settings into typed desired state.

public sealed record RouterSettings
{
    /// <summary>Bumped with every change to this shape; SettingsMigrations brings older documents up.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public AdminSettings Admin { get; init; } = new();
    public LanSettings Lan { get; init; } = new();
    public WanSettings Wan { get; init; } = new();
    public WifiSettings Wifi { get; init; } = new();
}

public sealed record AdminSettings
{
    public string Username { get; init; } = "admin";
    /// <summary>PasswordHasher format; never leaves the router.</summary>
    public string PasswordHash { get; init; } = "";
    /// <summary>True until the first-boot password is replaced: nothing else may be done before.</summary>
    public bool MustChangePassword { get; init; } = true;
}

public sealed record LanSettings
{
    /// <summary>The router's LAN address and prefix, e.g. 192.168.1.1/24.</summary>
    public string Address { get; init; } = "192.168.1.1/24";
    /// <summary>Physical ports joined into the LAN bridge.</summary>
    public IReadOnlyList<string> Ports { get; init; } = [];
    public DhcpSettings Dhcp { get; init; } = new();
    public IReadOnlyList<StaticLease> StaticLeases { get; init; } = [];
}

public sealed record DhcpSettings
{
    public bool Enabled { get; init; } = true;
    public string Start { get; init; } = "192.168.1.100";
    public string End { get; init; } = "192.168.1.249";
    public int LeaseSeconds { get; init; } = 12 * 3600;
}

public sealed record StaticLease
{
    public string Mac { get; init; } = "";
    public string Address { get; init; } = "";
    public string? Hostname { get; init; }
}

public static class WanModes
{
    public const string Dhcp = "dhcp";
    public const string Static = "static";
    public const string Pppoe = "pppoe";
}

public sealed record WanSettings
{
    public string Mode { get; init; } = WanModes.Dhcp;
    /// <summary>The WAN port (for PPPoE: the Ethernet port the modem is on).</summary>
    public string Device { get; init; } = "";
    public StaticWanSettings? Static { get; init; }
    public PppoeSettings? Pppoe { get; init; }
    /// <summary>DNS servers to use instead of the ones the WAN learns; empty means "from the ISP".</summary>
    public IReadOnlyList<string> DnsOverride { get; init; } = [];
}

public sealed record StaticWanSettings
{
    public string Address { get; init; } = "";
    public string Gateway { get; init; } = "";
    public IReadOnlyList<string> Dns { get; init; } = [];
}

public sealed record PppoeSettings
{
    public string Username { get; init; } = "";
    /// <summary>Secret: never rendered into an API response, a log or a command line.</summary>
    public string? Password { get; init; }
    public string? ServiceName { get; init; }
    public int Mtu { get; init; } = 1492;
}

public sealed record WifiSettings
{
    public bool Enabled { get; init; } = true;
    public string Ssid { get; init; } = "routerd";
    /// <summary>Secret: never rendered into an API response or a log.</summary>
    public string? Passphrase { get; init; }
    public string Security { get; init; } = "wpa2";
    public string Country { get; init; } = "DE";
}
