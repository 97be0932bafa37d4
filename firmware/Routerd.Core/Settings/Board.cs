namespace Routerd.Core.Settings;

/// <summary>What the hardware (or the lab) gives: port names, paths, tool locations and the
/// first-boot defaults. Read from board/&lt;name&gt;/board.json through
/// Microsoft.Extensions.Configuration, overridable by environment and command line, so several
/// routerd instances can run side by side in namespaces with their own names and directories.</summary>
public sealed record Board
{
    public string Name { get; init; } = "x86-64";
    public string WanDevice { get; init; } = "eth0";
    public IReadOnlyList<string> LanPorts { get; init; } = ["eth1"];
    public string LanBridge { get; init; } = "br-lan";
    /// <summary>The radio's interface (rpi4: wlan0, brcmfmac). Null or "auto": the first
    /// wireless interface found at start; none found means the router has no radio.</summary>
    public string? WifiDevice { get; init; }
    /// <summary>The interface hostapd makes for the guest network's BSS on the same radio (it
    /// exists while hostapd runs with the guest network on).</summary>
    public string GuestWifiInterface { get; init; } = DefaultGuestWifiInterface;
    public const string DefaultGuestWifiInterface = "wlan-guest";

    public string StateDir { get; init; } = "/var/lib/routerd";
    public string RunDir { get; init; } = "/run/routerd";
    public string LogDir { get; init; } = "/var/log/routerd";

    /// <summary>TCP port of the web UI on the LAN address.</summary>
    public int WebPort { get; init; } = 80;
    /// <summary>How long a risky change (the LAN address) waits for the user to confirm it from
    /// the new address before the old settings come back.</summary>
    public int RollbackSeconds { get; init; } = 60;
    /// <summary>The web login's growing delay after wrong passwords (tests make it short).</summary>
    public LoginThrottleBoard LoginThrottle { get; init; } = new();

    /// <summary>Tests only (the namespace tier): the loop's clock can be moved forward over the
    /// control socket (POST /internal/clock), so a pause schedule can be seen to start and end
    /// without waiting for the wall clock. Never set on a real board.</summary>
    public bool TestClock { get; init; }

    /// <summary>The stated quiet period of presence: a device not on Wi-Fi shows offline after
    /// this many seconds without any sign of it (Devices/Presence.cs). Tests make it short.</summary>
    public int PresenceQuietSeconds { get; init; } = 300;

    /// <summary>What balances virtual servers: "ipvs" (the kernel's IPVS, programmed over generic
    /// netlink; nftables only marks), "nftables" (numgen maps in the one table) or "auto", which
    /// `routerd serve` resolves at start to the one this kernel offers.</summary>
    public string Balancer { get; init; } = Balancers.Auto;
    /// <summary>The fast path for forwarded connections when nothing is shaped: "flowtable" (the
    /// kernel's nf_flow_table, FastPath/FastPathDecision.cs), "off", or "auto", which `routerd serve`
    /// resolves at start by asking this kernel (a dry run of a flowtable).</summary>
    public string FastPath { get; init; } = Routerd.Core.FastPath.FastPaths.Auto;
    /// <summary>How often each virtual-server backend is health-checked (a TCP connect); a dead one
    /// leaves the pool within two of these. Tests make it short.</summary>
    public int HealthCheckSeconds { get; init; } = 5;

    public BoardTools Tools { get; init; } = new();
    public BoardDefaults Defaults { get; init; } = new();
    /// <summary>Firmware upgrades (the images: RAUC and A/B slots); the labs have none.</summary>
    public BoardFirmware Firmware { get; init; } = new();

    /// <summary>The reset button: a GPIO line held down to reset the settings and reboot. Null: the
    /// board has none (x86-64, the labs).</summary>
    public BoardButton? ResetButton { get; init; }
    /// <summary>The status LED: its name in the kernel's LED class (<see cref="LedsDir"/>; rpi4: ACT).
    /// Null: the board has none.</summary>
    public string? StatusLed { get; init; }
    /// <summary>Where the kernel's LED class is (tests: a fake directory).</summary>
    public string LedsDir { get; init; } = "/sys/class/leds";
}

/// <summary>A push button on a GPIO line, read through libgpiod's edge events. Settable (not
/// init-only) so a board file that names only the line keeps the other defaults: the JSON
/// reader gives init-only members it does not find their type's default, not these.</summary>
public sealed record BoardButton
{
    /// <summary>The GPIO chip's number (/dev/gpiochipN).</summary>
    public int Chip { get; set; }
    /// <summary>The line's offset on that chip (rpi4's main chip: the BCM GPIO number).</summary>
    public int Line { get; set; }
    /// <summary>True: pressing pulls the line to ground, and it is pulled up (the SoC's bias) otherwise.</summary>
    public bool ActiveLow { get; set; } = true;
    /// <summary>How long it must be held; a shorter press does nothing.</summary>
    public int HoldSeconds { get; set; } = 10;
}

/// <summary>Where the board's firmware updater is, if it has one.</summary>
public sealed record BoardFirmware
{
    /// <summary>RAUC's executable; null: this board cannot be upgraded in place (the labs).</summary>
    public string? Rauc { get; init; }
    /// <summary>Where an uploaded bundle is written: the data partition, which upgrades keep.</summary>
    public string UploadDir { get; init; } = "/data/firmware";
    /// <summary>The image's version (image/build-image.sh writes it), the one bundles are compared with.</summary>
    public string VersionFile { get; init; } = "/etc/routerd/version";
    /// <summary>Where the slot last marked good is recorded for the boot loader (rpi4: a file on the
    /// FAT boot partition that boot.scr imports when uboot.env is missing or damaged); null: the
    /// boot loader keeps its own (x86-64's GRUB).</summary>
    public string? LastGoodFile { get; init; }
}

/// <summary>Executables routerd drives; absolute paths on the image, names on a dev machine.</summary>
public sealed record BoardTools
{
    public string Ip { get; init; } = "ip";
    public string Dnsmasq { get; init; } = "dnsmasq";
    public string Udhcpc { get; init; } = "udhcpc";
    public string Tc { get; init; } = "tc";
    public string Hostapd { get; init; } = "hostapd";
    public string Pppd { get; init; } = "pppd";
    /// <summary>The DHCPv6 client (Debian's dhcpcd-base) and util-linux's unshare, which gives it a private mount namespace.</summary>
    public string Dhcpcd { get; init; } = "dhcpcd";
    public string Unshare { get; init; } = "unshare";
    /// <summary>The owner's diagnostics (iputils-ping, traceroute): found on the PATH.</summary>
    public string Ping { get; init; } = "ping";
    public string Traceroute { get; init; } = "traceroute";
    /// <summary>The command line that reboots the box (split at spaces); the lab sets a harmless one.</summary>
    public string Reboot { get; init; } = "systemctl reboot";
}

/// <summary>After <see cref="FreeFailures"/> wrong passwords from one client, each further one
/// makes it wait: <see cref="FirstDelaySeconds"/>, doubling up to <see cref="MaxDelaySeconds"/>.</summary>
public sealed record LoginThrottleBoard
{
    public int FreeFailures { get; init; } = 3;
    public int FirstDelaySeconds { get; init; } = 2;
    public int MaxDelaySeconds { get; init; } = 300;
}

public sealed record BoardDefaults
{
    public string LanAddress { get; init; } = "192.168.1.1/24";
    public string DhcpStart { get; init; } = "192.168.1.100";
    public string DhcpEnd { get; init; } = "192.168.1.249";
    public int LeaseSeconds { get; init; } = 12 * 3600;
    public string WanMode { get; init; } = WanModes.Dhcp;
    public string WifiSsid { get; init; } = "routerd";
    public string WifiCountry { get; init; } = "DE";
    /// <summary>The Wi-Fi key printed on the device's label, if the board has one; otherwise
    /// first boot makes a random one (Wifi/WifiPassphrase). Never an open network.</summary>
    public string? WifiPassphrase { get; init; }
    public string AdminUsername { get; init; } = "admin";
    /// <summary>The first-boot password; it stops working at the forced change on first login.</summary>
    public string AdminPassword { get; init; } = "admin";
}

/// <summary>The names <see cref="Board.Balancer"/> takes.</summary>
public static class Balancers
{
    public const string Auto = "auto", Ipvs = "ipvs", Nftables = "nftables";
}
