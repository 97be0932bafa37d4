using System.Net.Sockets;
using System.Text;

namespace Routerd.Core.Net;

/// <summary>What the kernel reports now (netlink): the input the diff compares the plan with.</summary>
public sealed record ObservedNetwork(IReadOnlyList<LinkInfo> Links, IReadOnlyList<AddressInfo> Addresses, IReadOnlyList<RouteInfo> Routes)
{
    /// <summary>IPv6 default routes (read only while a static IPv6 WAN wants one or routerd owns one).</summary>
    public IReadOnlyList<Ipv6DefaultRouteInfo> Ipv6Routes { get; init; } = [];
}

/// <summary>The addresses and the default route routerd put on the system itself. Only these
/// are ever removed: an address or route someone else added (an administrator, another daemon)
/// is left alone, as systemd-networkd leaves foreign addresses (networkd-address.c). The record
/// lives in the run directory, a tmpfs: it lasts exactly as long as the kernel state it describes,
/// across a routerd restart but not a reboot.</summary>
public sealed record NetworkOwnership(IReadOnlySet<InterfaceAddress> Addresses, DefaultRoute? DefaultRoute, IReadOnlySet<InterfaceAddress6>? Addresses6 = null,
    DefaultRoute6? DefaultRoute6 = null)
{
    public static readonly NetworkOwnership None = new(new HashSet<InterfaceAddress>(), null);
    public IReadOnlySet<InterfaceAddress6> Ipv6Addresses => Addresses6 ?? new HashSet<InterfaceAddress6>();
    /// <summary>VLAN devices routerd created: removed when no plan names them any more.</summary>
    public IReadOnlySet<VlanLink> Vlans { get; init; } = new HashSet<VlanLink>();
    /// <summary>IFB devices routerd created: removed when no plan names them any more.</summary>
    public IReadOnlySet<string> Ifbs { get; init; } = new HashSet<string>();
    /// <summary>The addresses ports had before routerd cloned another onto them, by port: put
    /// back when the clone goes (kept here because a virtual port has no permanent address to
    /// read back from the kernel).</summary>
    public IReadOnlyDictionary<string, MacAddress> OriginalMacs { get; init; } = new Dictionary<string, MacAddress>();

    /// <summary>One line per object, in the words of `ip`: "addr 192.168.1.1/24 dev br-lan", "route default via 203.0.113.1 dev wan0".</summary>
    public string ToText()
    {
        var b = new StringBuilder("# routerd: addresses and routes it added (only these are removed)\n");
        foreach (var a in Addresses.OrderBy(a => a.Device, StringComparer.Ordinal).ThenBy(a => a.Address.Address))
            b.Append($"addr {a.Address} dev {a.Device}\n");
        if (DefaultRoute is { } r) b.Append($"route default via {Ipv4Network.Format(r.Gateway)} dev {r.Device}\n");
        foreach (var a in Ipv6Addresses.OrderBy(a => a.Device, StringComparer.Ordinal).ThenBy(a => a.Address.Value))
            b.Append($"addr6 {a.Address} dev {a.Device}\n");
        if (DefaultRoute6 is { } r6) b.Append($"route6 {r6}\n");
        foreach (var v in Vlans.OrderBy(v => v.Name, StringComparer.Ordinal))
            b.Append($"vlan {v.Name} link {v.Parent} id {v.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n");
        foreach (var (device, mac) in OriginalMacs.OrderBy(m => m.Key, StringComparer.Ordinal))
            b.Append($"mac {device} was {mac}\n");
        foreach (var ifb in Ifbs.Order(StringComparer.Ordinal))
            b.Append($"ifb {ifb}\n");
        return b.ToString();
    }

    /// <summary>Reads <see cref="ToText"/>; lines it does not understand are skipped (nothing is owned by guess).</summary>
    public static NetworkOwnership Parse(string text)
    {
        var addresses = new HashSet<InterfaceAddress>();
        var addresses6 = new HashSet<InterfaceAddress6>();
        DefaultRoute? route = null;
        DefaultRoute6? route6 = null;
        var vlans = new HashSet<VlanLink>();
        var macs = new Dictionary<string, MacAddress>();
        var ifbs = new HashSet<string>();
        foreach (var line in text.Split('\n'))
        {
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (w)
            {
                case ["addr", var a, "dev", var d] when Ipv4Network.TryParse(a, out var n):
                    addresses.Add(new InterfaceAddress(d, n));
                    break;
                case ["route", "default", "via", var g, "dev", var d] when Ipv4Network.TryParseAddress(g, out uint gw):
                    route = new DefaultRoute(d, gw);
                    break;
                case ["addr6", var a, "dev", var d] when Ipv6.Ipv6Prefix.TryParse(a, out var p):
                    addresses6.Add(new InterfaceAddress6(d, p));
                    break;
                case ["route6", "::/0", "via", var g, "dev", var d, "metric", _] when Ipv6.Ipv6Prefix.TryParseAddress(g, out var gw6):
                    route6 = new DefaultRoute6(d, gw6);
                    break;
                case ["vlan", var n, "link", var parent, "id", var i] when int.TryParse(i, System.Globalization.CultureInfo.InvariantCulture, out int id):
                    vlans.Add(new VlanLink(n, parent, id));
                    break;
                case ["mac", var d, "was", var m] when MacAddress.TryParse(m, out var mac):
                    macs[d] = mac;
                    break;
                case ["ifb", var n]:
                    ifbs.Add(n);
                    break;
            }
        }
        return new NetworkOwnership(addresses, route, addresses6, route6) { Vlans = vlans, OriginalMacs = macs, Ifbs = ifbs };
    }
}

/// <summary>The commands that bring the kernel to the plan (in order, `ip -batch` syntax), and
/// what routerd owns once they ran. <see cref="Missing"/>: ports the plan names that do not exist
/// (an unplugged USB adapter, a board without its WAN port); everything on the other devices is
/// still done, so the LAN keeps its address and the web UI comes up.</summary>
public sealed record NetworkChange(IReadOnlyList<string> Commands, NetworkOwnership Owned, IReadOnlyList<string> Missing)
{
    public NetworkChange(IReadOnlyList<string> commands, NetworkOwnership owned) : this(commands, owned, []) { }
}

/// <summary>The network diff, pure: (plan, observed, owned) in, commands out. The adapter
/// (Platform/IpRoute) only reads the kernel, runs the commands and keeps the ownership record.</summary>
public static class NetworkDiff
{
    public static NetworkChange Compute(NetworkPlan plan, ObservedNetwork observed, NetworkOwnership owned)
    {
        var links = observed.Links.ToDictionary(l => l.Name);
        var commands = new List<string>();
        var (vlans, macs, bounced) = PortLinks(plan, links, owned, commands);
        // The bridge first: ports can only be enslaved once it exists (the batch runs in order).
        bool newBridge = !links.ContainsKey(plan.Bridge);
        if (newBridge) commands.Add($"link add {plan.Bridge} type bridge");
        var ifbs = IfbLinks(plan, links, owned, commands);
        // A VLAN device on a port that exists is made above, so it is not missing; nor is an IFB.
        var made = plan.Vlans.Where(v => links.ContainsKey(v.Parent)).Select(v => v.Name).Concat(plan.Ifbs).ToHashSet();
        var missing = plan.Up.Concat(plan.BridgePorts).Where(n => n != plan.Bridge && !links.ContainsKey(n) && !made.Contains(n)).Distinct().ToList();
        // A missing port is left out of every command (ip would refuse the whole batch at it),
        // and so is what would live on it: its addresses and a default route through it. So is an
        // address on an interface another program makes and the plan does not bring up (the guest
        // Wi-Fi's, hostapd's): it goes on when the interface appears; that is not a failure.
        bool present(string device) => !missing.Contains(device) && (links.ContainsKey(device) || device == plan.Bridge || made.Contains(device));

        int? bridgeIndex = newBridge ? null : links[plan.Bridge].Index;
        foreach (var port in plan.BridgePorts.Where(present))
            if (bridgeIndex is null || links[port].MasterIndex != bridgeIndex) commands.Add($"link set dev {port} master {plan.Bridge}");
        foreach (var name in plan.Up.Where(present))
            if (!links.TryGetValue(name, out var link) || !link.AdminUp || bounced.Contains(name)) commands.Add($"link set dev {name} up");

        var byIndex = observed.Links.ToDictionary(l => l.Index, l => l.Name);
        var current = observed.Addresses
            .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork && a.Scope == AddressScope.Universe)
            .Where(a => byIndex.ContainsKey(a.InterfaceIndex))
            .Select(a => new InterfaceAddress(byIndex[a.InterfaceIndex], new Ipv4Network(Ipv4Network.ToUInt(a.Address), a.PrefixLength)))
            .ToHashSet();
        var wanted = plan.Addresses.Where(a => present(a.Device)).ToHashSet();
        var wantedRoute = plan.DefaultRoute is { } r0 && present(r0.Device) ? r0 : null;
        var defaults = observed.Routes.Where(r => r.Destination is null)
            .Select(r => r.OutputInterfaceIndex is { } i && byIndex.TryGetValue(i, out var dev) && r.Gateway is { } g
                ? new DefaultRoute(dev, Ipv4Network.ToUInt(g)) : null)
            .OfType<DefaultRoute>().ToList();

        // Order matters: a stale default route goes before the address it leaves through (the
        // kernel drops such routes with the address, and a later `route del` would fail); a new
        // route comes after the address that makes its gateway reachable.
        if (wantedRoute is null && owned.DefaultRoute is { } mine && defaults.Contains(mine))
            commands.Add($"route del default via {Ipv4Network.Format(mine.Gateway)} dev {mine.Device}");
        var deleted = current.Except(wanted).Where(owned.Addresses.Contains).OrderBy(a => a.Device, StringComparer.Ordinal).ThenBy(a => a.Address.Address).ToList();
        foreach (var stale in deleted)
            commands.Add($"addr del {stale.Address} dev {stale.Device}");
        foreach (var add in plan.Addresses.Where(a => wanted.Contains(a) && !current.Contains(a)))
            commands.Add($"addr add {add.Address} dev {add.Device}");
        // A default route that stays (DHCP to a static address behind the same gateway) is gone
        // too once the device's last address was deleted: the kernel flushes its routes then.
        if (wantedRoute is { } route && (!defaults.Contains(route) || deleted.Any(a => a.Device == route.Device)))
            commands.Add($"route replace default via {Ipv4Network.Format(route.Gateway)} dev {route.Device}");

        // IPv6: the LAN's prefixes (Ipv6/Ipv6Lan.cs). Only global-scope addresses are compared:
        // link-local ones are the kernel's, and the WAN's are dhcpcd's (never routerd's to remove).
        var current6 = observed.Addresses
            .Where(a => a.Address.AddressFamily == AddressFamily.InterNetworkV6 && a.Scope == AddressScope.Universe)
            .Where(a => byIndex.ContainsKey(a.InterfaceIndex))
            .Select(a => new InterfaceAddress6(byIndex[a.InterfaceIndex], new Ipv6.Ipv6Prefix(Ipv6.Ipv6Prefix.ToUInt128(a.Address), a.PrefixLength)))
            .ToHashSet();
        var wanted6 = plan.Ipv6Addresses.Where(a => present(a.Device)).ToHashSet();
        // A static IPv6 WAN's default route, told apart from dhcpcd's (metric 1000 + ifindex) and the
        // kernel's (1024) by routerd's own metric: replacing it never touches theirs.
        var wantedRoute6 = plan.DefaultRoute6 is { } w6 && present(w6.Device) ? w6 : null;
        var defaults6 = observed.Ipv6Routes.Where(r => r.Metric == DefaultRoute6.Metric && byIndex.ContainsKey(r.OutputInterfaceIndex))
            .Select(r => new DefaultRoute6(byIndex[r.OutputInterfaceIndex], Ipv6.Ipv6Prefix.ToUInt128(r.Gateway))).ToHashSet();
        if (owned.DefaultRoute6 is { } mine6 && mine6 != wantedRoute6 && defaults6.Contains(mine6))
            commands.Add($"route del {mine6}");
        var deleted6 = current6.Except(wanted6).Where(owned.Ipv6Addresses.Contains).OrderBy(a => a.Device, StringComparer.Ordinal).ThenBy(a => a.Address.Value).ToList();
        foreach (var stale in deleted6)
            commands.Add($"addr del {stale.Address} dev {stale.Device}");
        foreach (var add in plan.Ipv6Addresses.Where(a => wanted6.Contains(a) && !current6.Contains(a)))
            commands.Add($"addr add {add.Address} dev {add.Device}");
        // After the address that puts a global gateway on-link.
        if (wantedRoute6 is { } route6 && (!defaults6.Contains(route6) || deleted6.Any(a => a.Device == route6.Device)))
            commands.Add($"route replace {route6}");
        return new NetworkChange(commands, new NetworkOwnership(wanted, wantedRoute, wanted6, wantedRoute6) { Vlans = vlans, OriginalMacs = macs, Ifbs = ifbs }, missing);
    }

    /// <summary>IFB devices: one routerd made and no plan names goes (its queues and the redirects
    /// into it are the tc applier's, which runs after), a missing one is made. One someone else
    /// made under the name is used but never removed.</summary>
    static HashSet<string> IfbLinks(NetworkPlan plan, Dictionary<string, LinkInfo> links, NetworkOwnership owned, List<string> commands)
    {
        foreach (var stale in owned.Ifbs.Where(i => !plan.Ifbs.Contains(i) && links.ContainsKey(i)).Order(StringComparer.Ordinal))
            commands.Add($"link del dev {stale}");
        var ifbs = new HashSet<string>();
        foreach (var ifb in plan.Ifbs)
        {
            if (!links.ContainsKey(ifb))
            {
                commands.Add($"link add {ifb} type ifb");
                ifbs.Add(ifb);
            }
            else if (owned.Ifbs.Contains(ifb)) ifbs.Add(ifb);
        }
        return ifbs;
    }

    /// <summary>VLAN devices and cloned port addresses. A VLAN device routerd made and no plan names
    /// goes first (PPPoE left, the tag removed or changed); a port's address is set before a VLAN
    /// device is made on it, which then starts with the port's new address; a port whose clone was
    /// removed gets the address it had before back. A VLAN device or address someone else set is
    /// left alone. A port that is up is taken down for the change (Bounced: brought up again with
    /// the others): some drivers refuse a new address while up, the Pi 4's bcmgenet among them,
    /// and its VLAN devices go down and up with it, taking the port's new address.</summary>
    static (HashSet<VlanLink> Vlans, Dictionary<string, MacAddress> Macs, HashSet<string> Bounced) PortLinks(
        NetworkPlan plan, Dictionary<string, LinkInfo> links, NetworkOwnership owned, List<string> commands)
    {
        var bounced = new HashSet<string>();
        void SetMac(LinkInfo link, MacAddress mac)
        {
            if (link.AdminUp)
            {
                commands.Add($"link set dev {link.Name} down");
                bounced.Add(link.Name);
                bounced.UnionWith(links.Values.Where(v => v.Kind == "vlan" && v.AdminUp && v.Name.StartsWith(link.Name + ".", StringComparison.Ordinal)).Select(v => v.Name));
            }
            commands.Add($"link set dev {link.Name} address {mac}");
        }

        foreach (var stale in owned.Vlans.Where(v => !plan.Vlans.Contains(v) && links.ContainsKey(v.Name)).OrderBy(v => v.Name, StringComparer.Ordinal))
            commands.Add($"link del dev {stale.Name}");

        var macs = new Dictionary<string, MacAddress>(owned.OriginalMacs);
        foreach (var (device, original) in owned.OriginalMacs.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (plan.Macs.Any(m => m.Device == device)) continue;
            if (links.TryGetValue(device, out var link) && link.Mac != original) SetMac(link, original);
            macs.Remove(device);
        }
        foreach (var clone in plan.Macs)
        {
            if (!links.TryGetValue(clone.Device, out var link) || link.Mac == clone.Mac) continue;
            SetMac(link, clone.Mac);
            if (!macs.ContainsKey(clone.Device) && link.Mac is { } own) macs[clone.Device] = own;
        }

        var vlans = new HashSet<VlanLink>();
        foreach (var vlan in plan.Vlans.Where(v => links.ContainsKey(v.Parent)))
        {
            if (!links.ContainsKey(vlan.Name))
            {
                commands.Add($"link add {vlan}");
                vlans.Add(vlan);
            }
            else if (owned.Vlans.Contains(vlan)) vlans.Add(vlan);
        }
        return (vlans, macs, bounced);
    }
}
