namespace Routerd.Lab;

public sealed record LabOptions
{
    public RouterdCommand Routerd { get; init; } = RouterdCommand.Default();
    /// <summary>False builds the topology only; the caller starts routerd (e.g. to see it refuse to).</summary>
    public bool StartRouterd { get; init; } = true;
    /// <summary>Extra configuration for routerd's command line, e.g. "--Defaults:LanAddress=10.0.0.1/16"
    /// (a benchmark that needs room for a thousand static leases).</summary>
    public IReadOnlyList<string> RouterdArgs { get; init; } = [];
    /// <summary>Loopback port of the web relay into the router's web UI; 0 for none (tests run
    /// several labs, and only one can own a port).</summary>
    public int RelayPort { get; init; }
    /// <summary>The DHCP hostname the phone sends (option 12); null: "phone". Tests put hostile
    /// text here to see that it reaches the UI as text only.</summary>
    public string? PhoneHostname { get; init; }
    /// <summary>The laptop runs dhcpcd instead of busybox udhcpc: a DHCP client that asks again when
    /// its link comes back, as desktops and phones do (udhcpc ignores the link).</summary>
    public bool LaptopDhcpcd { get; init; }
    /// <summary>How long routerd waits for a LAN address change to be confirmed (the board's RollbackSeconds).</summary>
    public int RollbackSeconds { get; init; } = 60;
    /// <summary>The lease the ISP's DHCP server gives the WAN (dnsmasq's syntax; at least 2m). A short
    /// one makes the router's DHCP client renew, and report its lease again, within a minute.</summary>
    public string IspLeaseTime { get; init; } = "1h";
    /// <summary>The login throttle (free failures, first delay, maximum delay in seconds); null: routerd's real default.</summary>
    public (int FreeFailures, int FirstDelaySeconds, int MaxDelaySeconds)? LoginThrottle { get; init; }
    /// <summary>Board "Tools" entries to override (e.g. Pppd → a wrapper that records its arguments).</summary>
    public IReadOnlyDictionary<string, string> Tools { get; init; } = new Dictionary<string, string>();
    /// <summary>Runs a PPPoE access concentrator in the ISP namespace too; null: none.</summary>
    public PppoeServerOptions? PppoeServer { get; init; }
    /// <summary>Where the lab narrates what it does; silent by default.</summary>
    public Action<string> Log { get; init; } = _ => { };
}
