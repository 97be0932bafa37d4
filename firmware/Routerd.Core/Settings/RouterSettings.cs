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
    public const int CurrentSchemaVersion = 10;

    public int SchemaVersion { get; set; } = CurrentSchemaVersion;
    public AdminSettings Admin { get; set; } = new();
    public LanSettings Lan { get; set; } = new();
    public WanSettings Wan { get; set; } = new();
    public WifiSettings Wifi { get; set; } = new();
    public QosSettings Qos { get; set; } = new();
    /// <summary>Added after schema 2 with defaults (on, /56 hint), so older documents stay valid.</summary>
    public Ipv6Settings Ipv6 { get; set; } = new();
    /// <summary>Devices the user has said something about (a name, priority), by MAC.</summary>
    public IReadOnlyList<DeviceSettings> Devices { get; set; } = [];
    /// <summary>Port forwards from the internet to LAN devices (Firewall/ForwardRules.cs checks them).</summary>
    public IReadOnlyList<PortForward> Forwards { get; set; } = [];
    /// <summary>Load-balanced port forwards (VirtualServers/VirtualServerRules.cs checks them).
    /// Added in schema 5, empty by default.</summary>
    public IReadOnlyList<VirtualServer> VirtualServers { get; set; } = [];
    /// <summary>The router's time zone (Time/TimeRules.cs). Added in schema 6: UTC by default.</summary>
    public TimeSettings Time { get; set; } = new();
}

/// <summary>The time zone routerd schedules and shows local times in: a tz database name.</summary>
public sealed record TimeSettings
{
    public string Zone { get; set; } = "UTC";
}

/// <summary>A virtual server: one WAN port, for TCP or UDP, spread over several LAN backends by
/// weight. <see cref="Scheduler"/> is rr (each backend in turn, as often as its weight says) or
/// wlc (the backend with the fewest active connections per unit of weight: IPVS's own, or on
/// nftables slots shared out again at every health round by the connections each backend holds).</summary>
public sealed record VirtualServer
{
    /// <summary>Assigned by the router when the server is created; names it in the API.</summary>
    public int Id { get; set; }
    /// <summary>tcp or udp.</summary>
    public string Protocol { get; set; } = "tcp";
    public int WanPort { get; set; }
    public string Scheduler { get; set; } = "rr";
    public IReadOnlyList<VirtualServerBackend> Backends { get; set; } = [];
    public bool Enabled { get; set; } = true;
    /// <summary>For people only: never rendered into a ruleset or a command line.</summary>
    public string? Description { get; set; }
}

/// <summary>One backend of a virtual server: a LAN device by MAC (it follows the device's current
/// address, like a port forward) or a fixed address in the LAN subnet; exactly one of the two.</summary>
public sealed record VirtualServerBackend
{
    public string? Mac { get; set; }
    public string? Address { get; set; }
    public int Port { get; set; }
    /// <summary>Its share of new connections against the other backends' weights (1-100).</summary>
    public int Weight { get; set; } = 1;
}

/// <summary>One port forward: a WAN port or range, for TCP, UDP or both, to a LAN device named
/// by MAC (the forward follows whichever IPv4 address the device holds) on the same ports or a
/// range of the same length starting at <see cref="LanPort"/>.</summary>
public sealed record PortForward
{
    /// <summary>Assigned by the router when the forward is created; names it in the API.</summary>
    public int Id { get; set; }
    /// <summary>tcp, udp or both.</summary>
    public string Protocol { get; set; } = "tcp";
    public int WanPort { get; set; }
    /// <summary>The range's last port; null: a single port.</summary>
    public int? WanPortEnd { get; set; }
    public string Mac { get; set; } = "";
    /// <summary>The first LAN port; null: the same as the WAN port.</summary>
    public int? LanPort { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>For people only: never rendered into a ruleset or a command line.</summary>
    public string? Description { get; set; }
}

/// <summary>IPv6 over the WAN (Ipv6/Ipv6Rules.cs has the limits).</summary>
public sealed record Ipv6Settings
{
    public bool Enabled { get; set; } = true;
    /// <summary>The delegated prefix length asked of the ISP (a hint: /48 to /64 is accepted).</summary>
    public int PrefixHint { get; set; } = 56;
    /// <summary>The LAN's unique local /48 (fdXX:XXXX:XXXX::/48), made once and kept, so LAN names
    /// keep their addresses when the ISP's prefix changes. Null: made at the next start.</summary>
    public string? Ula { get; set; }
    /// <summary>"automatic" (router advertisements and DHCPv6 from the ISP) or "static" (a business
    /// line's fixed address, gateway and routed prefix, typed in). Added in schema 7.</summary>
    public string Mode { get; set; } = Ipv6Modes.Automatic;
    /// <summary>The fixed values for static mode (Ipv6/Ipv6StaticRules.cs has the limits).</summary>
    public Ipv6StaticSettings? Static { get; set; }
}

public static class Ipv6Modes
{
    public const string Automatic = "automatic";
    public const string Static = "static";
}

/// <summary>IPv6 as a business line's contract states it.</summary>
public sealed record Ipv6StaticSettings
{
    /// <summary>The WAN's own address with its prefix length, e.g. 2001:db8:1::2/64.</summary>
    public string Address { get; set; } = "";
    /// <summary>The ISP's router: a global address on the WAN's subnet or a link-local one (fe80::...).</summary>
    public string Gateway { get; set; } = "";
    /// <summary>The prefix the ISP routes to the router (/48 to /64): the LAN's /64 is taken from it.</summary>
    public string RoutedPrefix { get; set; } = "";
    public IReadOnlyList<string> Dns { get; set; } = [];
}

/// <summary>The line rates the shaper sits just under, so queues form in the router (where the
/// VIP lane can jump them) rather than in the modem. Null: shaper off.</summary>
public sealed record QosSettings
{
    public long? UploadKbit { get; set; }
    public long? DownloadKbit { get; set; }
}

public sealed record DeviceSettings
{
    public string Mac { get; set; } = "";
    public string? Name { get; set; }
    /// <summary>The VIP lane: this device's traffic jumps every queue, both directions.</summary>
    public bool Priority { get; set; }
    /// <summary>When the priority turns itself off; null: until the user turns it off.</summary>
    public DateTimeOffset? PriorityUntil { get; set; }
    /// <summary>Paused by the owner: no internet, still on the LAN (Pause/PauseRules.cs).
    /// Added in schema 4 with defaults, so older documents pause nobody.</summary>
    public bool Paused { get; set; }
    /// <summary>When the owner's pause ends by itself; null: when the owner resumes the device.</summary>
    public DateTimeOffset? PausedUntil { get; set; }
    /// <summary>Weekly times the device is paused (router local time), whatever <see cref="Paused"/> says.</summary>
    public IReadOnlyList<PauseWindow> PauseSchedule { get; set; } = [];
}

/// <summary>One weekly pause: on each of the days, from a time to a time (router local time,
/// "HH:mm"); an end not after the start runs past midnight into the next day.</summary>
public sealed record PauseWindow
{
    /// <summary>"mon", "tue", ... "sun".</summary>
    public IReadOnlyList<string> Days { get; set; } = [];
    public string From { get; set; } = "";
    public string To { get; set; } = "";
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
    /// <summary>MAC clone: the address the WAN port uses instead of its own, for lines the ISP bound
    /// to a modem's or an old router's address (any mode). Null: the port's own. Added in schema 8.</summary>
    public string? Mac { get; set; }
}

public sealed record StaticWanSettings
{
    public string Address { get; set; } = "";
    public string Gateway { get; set; } = "";
    public IReadOnlyList<string> Dns { get; set; } = [];
}

/// <summary>PPPoE dial-out (see Wan/PppoeRules.cs for the limits and Wan/PppdRenderer.cs for
/// what each becomes). Fields added after schema 2 have defaults, so older documents stay valid.</summary>
public sealed record PppoeSettings
{
    public string Username { get; set; } = "";
    /// <summary>Secret: never rendered into an API response, a log or a command line.</summary>
    public string? Password { get; set; }
    /// <summary>Only an access concentrator offering this service is used; null: any.</summary>
    public string? ServiceName { get; set; }
    /// <summary>Only the access concentrator with this name is used; null: the first to answer.</summary>
    public string? AcName { get; set; }
    /// <summary>1492 fits any Ethernet; up to 1500 (RFC 4638) when the WAN port carries 1508-byte frames.</summary>
    public int Mtu { get; set; } = 1492;
    /// <summary>LCP echo every this many seconds; the peer is dead after <see cref="LcpEchoFailures"/>
    /// unanswered ones (3 s × (3 + 1) = at most 12 s).</summary>
    public int LcpEchoIntervalSeconds { get; set; } = 3;
    public int LcpEchoFailures { get; set; } = 3;
    /// <summary>The wait before the first redial; it doubles with each failed dial up to the maximum.</summary>
    public int RedialInitialSeconds { get; set; } = 2;
    public int RedialMaxSeconds { get; set; } = 120;
    /// <summary>"HH:mm" (router local time): hang up and redial once a day at this time, before the
    /// ISP forces it at a worse one. Null: never.</summary>
    public string? ReconnectAt { get; set; }
    /// <summary>The 802.1Q tag the ISP wants PPPoE in (e.g. 7); null: untagged. PPPoE only: it
    /// lives in this block, and the other modes never create a VLAN device. Added in schema 8.</summary>
    public int? VlanId { get; set; }

    /// <summary>The record's printout (ToString, so any log of the settings) never shows the password.</summary>
    bool PrintMembers(System.Text.StringBuilder b)
    {
        b.Append($"Username = {Username}, Password = {(Password is null ? "null" : "(secret)")}, ServiceName = {ServiceName}, AcName = {AcName}, ");
        b.Append($"Mtu = {Mtu}, LcpEchoIntervalSeconds = {LcpEchoIntervalSeconds}, LcpEchoFailures = {LcpEchoFailures}, ");
        b.Append($"RedialInitialSeconds = {RedialInitialSeconds}, RedialMaxSeconds = {RedialMaxSeconds}, ReconnectAt = {ReconnectAt}, VlanId = {VlanId}");
        return true;
    }
}

public sealed record WifiSettings
{
    /// <summary>The radio on or off.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>1-32 bytes of UTF-8; any printable character, emoji included.</summary>
    public string Ssid { get; set; } = "routerd";
    /// <summary>Secret: never rendered into an API response or a log. 8-63 printable ASCII
    /// characters, or 64 hex digits (a raw WPA2 PSK). Null in a request: unchanged.</summary>
    public string? Passphrase { get; set; }
    /// <summary>wpa2 (WPA2-PSK), wpa3 (WPA3-SAE) or wpa2-wpa3 (transition); see Wifi/WifiSecurity.</summary>
    public string Security { get; set; } = "wpa2";
    public string Country { get; set; } = "DE";
    /// <summary>"2.4" or "5" (GHz).</summary>
    public string Band { get; set; } = "2.4";
    /// <summary>A channel of the band; null: the band's default channel (Wifi/WifiChannels).</summary>
    public int? Channel { get; set; }
    /// <summary>Leave the network name out of beacons.</summary>
    public bool Hidden { get; set; }
    /// <summary>The guest network: a second SSID on the same radio, internet only (Wifi/GuestRules.cs).
    /// Added in schema 10, off by default.</summary>
    public GuestWifiSettings Guest { get; set; } = new();
}

/// <summary>A second network on the main radio for visitors: its own name and key (the main
/// network's security mode), its own small subnet served by the router's dnsmasq, the internet
/// through NAT, and nothing of the LAN or the router but DHCP and DNS.</summary>
public sealed record GuestWifiSettings
{
    public bool Enabled { get; set; }
    /// <summary>1-32 bytes of UTF-8, not the main network's name.</summary>
    public string Ssid { get; set; } = "routerd-guest";
    /// <summary>Secret, like the main network's key: never in an API response or a log. Null in a
    /// request: unchanged. Required once the guest network is on.</summary>
    public string? Passphrase { get; set; }
    /// <summary>The router's address on the guest network with its prefix; the guests' pool is the
    /// rest of that subnet. Must not overlap the LAN or the WAN.</summary>
    public string Address { get; set; } = "192.168.2.1/24";

    /// <summary>The record's printout (ToString, so any log of the settings) never shows the key.</summary>
    bool PrintMembers(System.Text.StringBuilder b)
    {
        b.Append($"Enabled = {Enabled}, Ssid = {Ssid}, Passphrase = {(Passphrase is null ? "null" : "(secret)")}, Address = {Address}");
        return true;
    }
}
