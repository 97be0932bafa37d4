using Routerd.Core.Net;

namespace Routerd.Core.Settings;

/// <summary>Facts about the running system that validation needs (null: not known, e.g. the
/// offline <c>render</c> verb, and those checks are skipped). <see cref="Now"/> decides which
/// priorities have expired.</summary>
public sealed record SystemFacts(IReadOnlySet<string>? Interfaces, DateTimeOffset Now = default)
{
    /// <summary>The MACs of the router's own interfaces (a forward must not name the router).</summary>
    public IReadOnlySet<MacAddress>? OwnMacs { get; init; }
}

/// <summary>Validates settings and builds the typed desired state in one pass, so a value is
/// parsed once and every refusal names the field it came from.</summary>
public static class DesiredStateBuilder
{
    public static DesiredState Build(RouterSettings settings, Board board, SystemFacts facts) =>
        TryBuild(settings, board, facts, out var errors) ?? throw new SettingsRejectedException(errors);

    public static IReadOnlyList<FieldError> Validate(RouterSettings settings, Board board, SystemFacts facts)
    {
        TryBuild(settings, board, facts, out var errors);
        return errors;
    }

    /// <summary>The desired state, or null and the refusals: a change is checked and built in the
    /// same pass (validating first and building after would walk every device twice).</summary>
    public static DesiredState? TryBuild(RouterSettings settings, Board board, SystemFacts facts, out IReadOnlyList<FieldError> errors)
    {
        var found = new List<FieldError>();
        var state = TryBuild(settings, board, facts, found);
        errors = found;
        return state;
    }

    static DesiredState? TryBuild(RouterSettings s, Board board, SystemFacts facts, List<FieldError> errors)
    {
        if (s.SchemaVersion != RouterSettings.CurrentSchemaVersion)
            errors.Add(new("schemaVersion", $"must be {RouterSettings.CurrentSchemaVersion} (older documents are migrated on import)"));

        ValidateAdmin(s.Admin, errors);
        var lan = BuildLan(s.Lan, board, facts, errors);
        var wan = BuildWan(s.Wan, lan, facts, errors);
        var wifi = Wifi.WifiRules.Build(s.Wifi, board, lan, wan, errors);
        var qos = BuildQos(s.Qos, s.Devices, facts.Now, errors);
        var forwards = Firewall.ForwardRules.Build(s.Forwards, facts.OwnMacs, errors);
        var servers = VirtualServers.VirtualServerRules.Build(s.VirtualServers ?? [], lan, forwards, facts.OwnMacs, errors);
        var ipv6 = Ipv6.Ipv6Rules.Build(s.Ipv6 ?? new(), errors);
        var pause = Pause.PauseRules.Build(s.Devices, errors);
        var zone = Time.TimeRules.Build(s.Time ?? new(), errors);

        if (lan is not null && wan is not null && lan.Ports.Contains(wan.Device))
            errors.Add(new("wan.device", $"'{wan.Device}' is already a LAN port"));
        else if (wan is not null && !BoardPorts(board).Contains(wan.Device))
            errors.Add(new("wan.device", $"'{wan.Device}' is not one of this router's ports ({string.Join(", ", BoardPorts(board))})"));

        return errors.Count == 0 ? new DesiredState(board, lan!, wan!, qos!, wifi) { Forwards = forwards!, VirtualServers = servers!, Ipv6 = ipv6!, Pause = pause!, Zone = zone! } : null;
    }

    /// <summary>The ports the board has: its WAN port and its LAN ports (either may become the WAN).</summary>
    static IEnumerable<string> BoardPorts(Board board) => board.LanPorts.Prepend(board.WanDevice).Distinct();

    /// <summary>Above these a list is an attack or a typo, not a home: they also bound a document's
    /// size (the web API's body limit is sized for them).</summary>
    public const int MaxDevices = 1024, MaxStaticLeases = 1024;

    static void ValidateAdmin(AdminSettings admin, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(admin.Username) || admin.Username.Length > 32 || !admin.Username.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            errors.Add(new("admin.username", "must be 1-32 letters, digits, '-', '_' or '.'"));
    }

    static LanPlan? BuildLan(LanSettings lan, Board board, SystemFacts facts, List<FieldError> errors)
    {
        int before = errors.Count;
        Ipv4Network address = default;
        if (!Ipv4Network.TryParse(lan.Address, out address))
            errors.Add(new("lan.address", $"'{lan.Address}' is not an IPv4 address with prefix, e.g. 192.168.1.1/24"));
        else if (address.PrefixLength is < 8 or > 30)
            errors.Add(new("lan.address", "the prefix must be between /8 and /30"));
        else if (!address.IsHostAddress(address.Address))
            errors.Add(new("lan.address", $"{Ipv4Network.Format(address.Address)} is the network or broadcast address of its subnet"));

        var ports = lan.Ports.Count > 0 ? lan.Ports : board.LanPorts;
        for (int i = 0; i < ports.Count; i++)
            CheckInterface($"lan.ports[{i}]", ports[i], facts, errors);
        if (ports.Distinct().Count() != ports.Count)
            errors.Add(new("lan.ports", "a port is listed twice"));

        bool addressOk = errors.Count == before;
        DhcpPool? pool = null;
        var d = lan.Dhcp;
        if (d.Enabled)
        {
            bool startOk = AddressFields.Host("lan.dhcp.start", d.Start, addressOk ? address : null, errors, out uint start);
            bool endOk = AddressFields.Host("lan.dhcp.end", d.End, addressOk ? address : null, errors, out uint end);
            if (startOk && endOk && start > end)
                errors.Add(new("lan.dhcp.end", $"{d.End} comes before the pool start {d.Start}"));
            else if (startOk && endOk && addressOk && address.Address >= start && address.Address <= end)
                errors.Add(new("lan.dhcp.start", $"the pool {d.Start}-{d.End} includes the router's own address {address.Ip}"));
            if (d.LeaseSeconds is < 120 or > 30 * 86400)
                errors.Add(new("lan.dhcp.leaseSeconds", "must be between 120 (2 minutes) and 2592000 (30 days)"));
            pool = new DhcpPool(start, end, d.LeaseSeconds);
        }

        if (lan.StaticLeases.Count > MaxStaticLeases)
            errors.Add(new("lan.staticLeases", $"at most {MaxStaticLeases} static leases"));
        var leases = new List<StaticLeasePlan>();
        var seenMacs = new HashSet<MacAddress>();
        var seenAddresses = new HashSet<uint>();
        for (int i = 0; i < lan.StaticLeases.Count; i++)
        {
            var l = lan.StaticLeases[i];
            string at = $"lan.staticLeases[{i}]";
            bool ok = true;
            if (!MacAddress.TryParse(l.Mac, out var mac) || !mac.IsUnicast || mac.IsZero)
            {
                errors.Add(new($"{at}.mac", $"'{l.Mac}' is not a device MAC address (aa:bb:cc:dd:ee:ff)"));
                ok = false;
            }
            else if (!seenMacs.Add(mac))
            {
                errors.Add(new($"{at}.mac", $"{mac} has another static lease already"));
                ok = false;
            }
            if (!AddressFields.Host($"{at}.address", l.Address, addressOk ? address : null, errors, out uint ip)) ok = false;
            else if (addressOk && ip == address.Address)
            {
                errors.Add(new($"{at}.address", "is the router's own address"));
                ok = false;
            }
            else if (!seenAddresses.Add(ip))
            {
                errors.Add(new($"{at}.address", $"{l.Address} is given to another device already"));
                ok = false;
            }
            if (l.Hostname is not null && !TextRules.IsHostname(l.Hostname))
            {
                errors.Add(new($"{at}.hostname", "must be 1-63 letters, digits or '-', not starting or ending with '-'"));
                ok = false;
            }
            if (ok) leases.Add(new StaticLeasePlan(mac, ip, l.Hostname));
        }

        if (!TextRules.IsInterfaceName(board.LanBridge))
            errors.Add(new("board.lanBridge", $"'{board.LanBridge}' is not a valid interface name"));

        return errors.Count == before ? new LanPlan(board.LanBridge, ports, address, pool, leases) : null;
    }

    /// <summary>The mode, the port and the DNS override are the WAN's; each protocol checks its own
    /// block (Wan/&lt;Protocol&gt;/) and gives the active one's part of the plan.</summary>
    static WanPlan? BuildWan(WanSettings wan, LanPlan? lan, SystemFacts facts, List<FieldError> errors)
    {
        int before = errors.Count;
        if (!Wan.WanProtocols.Exists(wan.Mode))
            errors.Add(new("wan.mode", $"'{wan.Mode}' is not one of {Wan.WanProtocols.Names}"));
        CheckInterface("wan.device", wan.Device, facts, errors);

        var dns = new List<string>();
        Wan.IWanProtocolPlan? plan = null;
        // A block of another mode is kept for when the user switches back: every protocol checks
        // its block, so nothing invalid waits in the store for that moment.
        foreach (var protocol in Wan.WanProtocols.All)
        {
            bool active = protocol.Mode == wan.Mode;
            var part = protocol.Check(wan, active, lan, dns, errors);
            if (active) plan = part;
        }
        AddressFields.DnsList("wan.dnsOverride", wan.DnsOverride, dns, errors);
        var mac = CloneMac(wan.Mac, errors);

        return errors.Count == before ? new WanPlan(wan.Mode, wan.Device, dns.Distinct().ToList(), plan, mac) : null;
    }

    /// <summary>The WAN MAC clone: one device's address (unicast, not all zeros), globally or locally
    /// administered alike, since the ISP knows the modem's or old router's burnt-in one. Empty: none.</summary>
    static MacAddress? CloneMac(string? text, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!MacAddress.TryParse(text.Trim(), out var mac))
            errors.Add(new("wan.mac", $"'{TextRules.Printable(text)}' is not a MAC address; write it as six pairs of hex digits, e.g. 02:11:22:33:44:55."));
        else if (mac.IsZero)
            errors.Add(new("wan.mac", "00:00:00:00:00:00 is not a device's address; leave the field empty to use the port's own."));
        else if (mac.Value == 0xffff_ffff_ffff)
            errors.Add(new("wan.mac", "ff:ff:ff:ff:ff:ff is the broadcast address, not a device's; copy the address from the modem's or old router's label."));
        else if (!mac.IsUnicast)
            errors.Add(new("wan.mac", $"{mac} is a multicast address (its first byte is odd), not a device's; copy the address from the modem's or old router's label."));
        else return mac;
        return null;
    }

    /// <summary>Above this the rate is a typo, not a line (100 Gbit/s).</summary>
    public const long MaxRateKbit = 100_000_000;

    /// <summary>The shaper rates and the VIP lane's devices (a device-list change needs only this).</summary>
    public static QosPlan? BuildQos(QosSettings q, IReadOnlyList<DeviceSettings> devices, DateTimeOffset now, List<FieldError> errors)
    {
        int before = errors.Count;
        CheckRate("qos.uploadKbit", q.UploadKbit, errors);
        CheckRate("qos.downloadKbit", q.DownloadKbit, errors);
        if (devices.Count > MaxDevices)
            errors.Add(new("devices", $"at most {MaxDevices} devices"));
        var vip = new List<MacAddress>();
        var seen = new HashSet<MacAddress>();
        for (int i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            if (!MacAddress.TryParse(d.Mac, out var mac) || !mac.IsUnicast || mac.IsZero)
                errors.Add(new($"devices[{i}].mac", $"'{d.Mac}' is not a device MAC address (aa:bb:cc:dd:ee:ff)"));
            else if (!seen.Add(mac))
                errors.Add(new($"devices[{i}].mac", $"{mac} is listed twice"));
            else if (d.Priority && (d.PriorityUntil is not { } until || until > now))
                vip.Add(mac);
            if (d.Name is { } name && (name.Length > 64 || TextRules.HasControlCharacter(name)))
                errors.Add(new($"devices[{i}].name", "must be at most 64 characters without control characters"));
        }
        vip.Sort((a, b) => a.Value.CompareTo(b.Value));
        return errors.Count == before ? new QosPlan(q.UploadKbit, q.DownloadKbit, vip) : null;
    }

    static void CheckRate(string field, long? kbit, List<FieldError> errors)
    {
        if (kbit is { } k && (k <= 0 || k > MaxRateKbit))
            errors.Add(new(field, $"must be between 1 and {MaxRateKbit} kbit/s (100 Gbit/s), or left empty to switch the shaper off"));
    }

    static void CheckInterface(string field, string name, SystemFacts facts, List<FieldError> errors)
    {
        if (!TextRules.IsInterfaceName(name))
            errors.Add(new(field, $"'{name}' is not a valid interface name"));
        else if (facts.Interfaces is { } existing && !existing.Contains(name))
            errors.Add(new(field, $"there is no interface '{name}' on this router"));
    }
}
