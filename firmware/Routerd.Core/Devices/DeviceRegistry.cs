using System.Net;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Core.Devices;

/// <summary>What the router knows about devices on its LAN, merged from two observers: the
/// neighbour table (who is talking now, with which IPv4/IPv6 addresses) and DHCP leases (names).
/// Thread-safe; readers get snapshots.</summary>
public sealed class DeviceRegistry(TimeProvider clock)
{
    sealed class Entry(MacAddress mac, DateTimeOffset now)
    {
        public readonly MacAddress Mac = mac;
        public DateTimeOffset FirstSeen = now, LastSeen = now;
        public string? Hostname;
        public readonly Dictionary<IPAddress, NeighbourState> Neighbours = [];
        public string? LeaseAddress;
        /// <summary>null: never seen on Wi-Fi (a wired device); else associated or not right now.</summary>
        public bool? WifiAssociated;
        public int? SignalDbm;
    }

    readonly Dictionary<MacAddress, Entry> entries = [];
    readonly Lock gate = new();

    /// <summary>Neighbour states that mean the device answered recently.</summary>
    const NeighbourState Alive = NeighbourState.Reachable | NeighbourState.Delay | NeighbourState.Probe | NeighbourState.Permanent;

    /// <summary>Replaces the neighbour facts of the LAN interface(s) with a fresh dump.</summary>
    public void SetNeighbours(IEnumerable<NeighbourInfo> neighbours)
    {
        lock (gate)
        {
            foreach (var e in entries.Values) e.Neighbours.Clear();
            foreach (var n in neighbours) ApplyLocked(n, deleted: false);
        }
    }

    public void Apply(NeighbourInfo neighbour, bool deleted)
    {
        lock (gate) ApplyLocked(neighbour, deleted);
    }

    void ApplyLocked(NeighbourInfo n, bool deleted)
    {
        if (n.Mac is not { IsUnicast: true, IsZero: false } mac || n.Address.IsIPv6Multicast) return;
        if (deleted || n.State.HasFlag(NeighbourState.Failed))
        {
            if (entries.TryGetValue(mac, out var gone)) gone.Neighbours.Remove(n.Address);
            return;
        }
        var e = Get(mac);
        e.Neighbours[n.Address] = n.State;
        if ((n.State & Alive) != 0) e.LastSeen = clock.GetUtcNow();
    }

    public void SetLeases(IEnumerable<DhcpLease> leases)
    {
        lock (gate)
        {
            foreach (var e in entries.Values) e.LeaseAddress = null;
            foreach (var l in leases)
            {
                var e = Get(l.Mac);
                e.LeaseAddress = l.Address;
                if (l.Hostname is not null) e.Hostname = l.Hostname;
            }
        }
    }

    /// <summary>A station joined or left the access point (hostapd's events).</summary>
    public void SetWifiStation(MacAddress mac, bool associated, int? signalDbm)
    {
        lock (gate) SetWifiLocked(mac, associated, signalDbm);
    }

    /// <summary>The complete list of associated stations (after hostapd (re)started, or
    /// periodically for the signal): every other Wi-Fi device is no longer associated.</summary>
    public void SetWifiStations(IEnumerable<(MacAddress Mac, int? SignalDbm)> stations)
    {
        lock (gate)
        {
            var now = stations.ToDictionary(s => s.Mac, s => s.SignalDbm);
            foreach (var e in entries.Values.Where(e => e.WifiAssociated == true && !now.ContainsKey(e.Mac)))
                SetWifiLocked(e.Mac, false, null);
            foreach (var (mac, signal) in now) SetWifiLocked(mac, true, signal);
        }
    }

    void SetWifiLocked(MacAddress mac, bool associated, int? signalDbm)
    {
        if (!mac.IsUnicast || mac.IsZero) return;
        var e = Get(mac);
        e.WifiAssociated = associated;
        e.SignalDbm = associated ? signalDbm ?? e.SignalDbm : null;
        if (associated) e.LastSeen = clock.GetUtcNow();
    }

    Entry Get(MacAddress mac)
    {
        if (!entries.TryGetValue(mac, out var e))
            entries[mac] = e = new Entry(mac, clock.GetUtcNow());
        return e;
    }

    /// <summary>Every address the given devices hold now: their DHCP lease and what the neighbour
    /// table has seen them use (IPv6 privacy addresses included).</summary>
    public IReadOnlyList<IPAddress> AddressesOf(IEnumerable<MacAddress> macs)
    {
        lock (gate)
            return macs.SelectMany(m => entries.TryGetValue(m, out var e) ? HeldBy(e) : []).ToList();
    }

    /// <summary>The one IPv4 address a port forward sends a device's connections to: its DHCP
    /// lease, or for a device with a fixed address the neighbour table's address that answered
    /// (the lowest when several did). Only an address on the host side of <paramref name="lan"/>
    /// and not the router's own counts; null when the device has none now.</summary>
    public IPAddress? Ipv4Of(MacAddress mac, Ipv4Network lan)
    {
        lock (gate)
        {
            if (!entries.TryGetValue(mac, out var e)) return null;
            return HeldBy(e)
                .Where(a => lan.Contains(a) && lan.IsHostAddress(Ipv4Network.ToUInt(a)) && Ipv4Network.ToUInt(a) != lan.Address)
                .OrderBy(a => e.Neighbours.TryGetValue(a, out var s) && (s & Alive) != 0 ? 0 : 1)
                .ThenBy(a => Ipv4Network.ToUInt(a))
                .FirstOrDefault();
        }
    }

    /// <summary>Which device holds each address now (the same addresses as <see cref="AddressesOf"/>).</summary>
    public IReadOnlyDictionary<IPAddress, MacAddress> AddressOwners()
    {
        lock (gate)
        {
            var owners = new Dictionary<IPAddress, MacAddress>();
            foreach (var e in entries.Values)
                foreach (var a in HeldBy(e)) owners[a] = e.Mac;
            return owners;
        }
    }

    static IEnumerable<IPAddress> HeldBy(Entry e)
    {
        // IPv4: the DHCP lease is the truth; an old address lingers in the neighbour table for
        // minutes after a renumbering and may belong to someone else by then. Devices with a
        // fixed address have no lease: there the neighbour table is all we know.
        if (e.LeaseAddress is { } l && IPAddress.TryParse(l, out var ip)) yield return ip;
        else
            foreach (var a in e.Neighbours.Keys.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
                yield return a;
        // IPv6 (SLAAC, privacy addresses): only the neighbour table knows them.
        foreach (var a in e.Neighbours.Keys.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal))
            yield return a;
    }

    /// <summary>The observed devices with the user's settings for them, plus the devices the user
    /// named (or gave priority) before the router ever saw them.</summary>
    public IReadOnlyList<DeviceView> View(IReadOnlyList<Settings.DeviceSettings> configured)
    {
        var byMac = new Dictionary<string, Settings.DeviceSettings>();
        foreach (var c in configured)
            if (MacAddress.TryParse(c.Mac, out var m)) byMac[m.ToString()] = c;
        var seen = Snapshot();
        var list = seen.Select(d => byMac.TryGetValue(d.Mac, out var c) ? d with { Name = c.Name, Priority = c.Priority, PriorityUntil = c.PriorityUntil } : d).ToList();
        var seenMacs = seen.Select(d => d.Mac).ToHashSet();
        list.AddRange(byMac.Where(kv => !seenMacs.Contains(kv.Key))
            .Select(kv => new DeviceView(kv.Key, null, [], false, null, null, kv.Value.Name, kv.Value.Priority, kv.Value.PriorityUntil)));
        return list;
    }

    public bool Knows(MacAddress mac)
    {
        lock (gate) return entries.ContainsKey(mac);
    }

    public IReadOnlyList<DeviceView> Snapshot()
    {
        lock (gate)
        {
            return entries.Values
                .OrderBy(e => e.Mac.Value)
                .Select(e => new DeviceView(
                    e.Mac.ToString(),
                    e.Hostname,
                    Addresses(e),
                    // A Wi-Fi station is online while associated: the neighbour table lags
                    // behind by minutes after it leaves.
                    e.WifiAssociated ?? e.Neighbours.Values.Any(s => (s & Alive) != 0),
                    e.FirstSeen,
                    e.LastSeen,
                    Connection: e.WifiAssociated is null ? DeviceView.Wired : DeviceView.Wifi,
                    SignalDbm: e.SignalDbm))
                .ToList();
        }
    }

    static List<string> Addresses(Entry e)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        if (e.LeaseAddress is { } l) set.Add(l);
        foreach (var a in e.Neighbours.Keys) set.Add(a.ToString());
        // IPv4 first, then IPv6, each in a stable order.
        return set.OrderBy(a => a.Contains(':')).ThenBy(a => a, StringComparer.Ordinal).ToList();
    }
}
