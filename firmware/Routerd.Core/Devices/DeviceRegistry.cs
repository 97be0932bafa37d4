using System.Net;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Core.Devices;

/// <summary>What the router knows about devices on its LAN, merged from its observers: the
/// neighbour table (who answers now, with which IPv4/IPv6 addresses), DHCP leases (names),
/// Wi-Fi stations and the traffic counters; whether each is online is <see cref="Presence"/>'s
/// rule. Thread-safe; readers get snapshots.
///
/// Signs of life are stamped on the monotonic clock and turned into dates only when read (now
/// minus how long ago): NTP stepping the date (a Pi boots with a stale one) then neither shows a
/// device "last seen" in the future or years ago, nor keeps it online for years after a step back.</summary>
public sealed class DeviceRegistry(TimeProvider clock)
{
    readonly Time.MonotonicClock monotonic = new(clock);

    /// <summary>The stated quiet period: a device not on Wi-Fi is offline after this long without a sign of it.</summary>
    public TimeSpan QuietPeriod { get; init; } = Presence.DefaultQuietPeriod;

    /// <summary>Times are readings of <see cref="monotonic"/>.</summary>
    sealed class Entry(MacAddress mac, TimeSpan now)
    {
        public readonly MacAddress Mac = mac;
        public TimeSpan FirstSeen = now;
        /// <summary>The last sign of life; null: none since routerd started (known from a lease file only).</summary>
        public TimeSpan? LastSeen;
        public string? Hostname;
        public readonly Dictionary<IPAddress, NeighbourState> Neighbours = [];
        public string? LeaseAddress;
        public DateTimeOffset? LeaseExpires;
        /// <summary>null: never seen on Wi-Fi (a wired device); else associated or not right now.</summary>
        public bool? WifiAssociated;
        public int? SignalDbm;
    }

    readonly Dictionary<MacAddress, Entry> entries = [];
    readonly Lock gate = new();
    /// <summary>The lease file has been read once: from then on a new or renewed lease is a sign of life.</summary>
    bool leasesRead;

    /// <summary>Neighbour states that mean the device answered recently.</summary>
    const NeighbourState Alive = NeighbourState.Reachable | NeighbourState.Delay | NeighbourState.Probe | NeighbourState.Permanent;

    /// <summary>Replaces the neighbour facts of the LAN interface(s) with a fresh dump.</summary>
    public void SetNeighbours(IEnumerable<NeighbourInfo> neighbours)
    {
        lock (gate)
        {
            foreach (var e in entries.Values) e.Neighbours.Clear();
            foreach (var n in neighbours) ApplyLocked(n, deleted: false, dump: true);
        }
    }

    public void Apply(NeighbourInfo neighbour, bool deleted)
    {
        lock (gate) ApplyLocked(neighbour, deleted, dump: false);
    }

    /// <param name="dump">from a dump of the whole table: a STALE entry there is old news, not a sign.</param>
    void ApplyLocked(NeighbourInfo n, bool deleted, bool dump)
    {
        if (n.Mac is not { IsUnicast: true, IsZero: false } mac || n.Address.IsIPv6Multicast) return;
        if (deleted || n.State.HasFlag(NeighbourState.Failed))
        {
            if (entries.TryGetValue(mac, out var gone)) gone.Neighbours.Remove(n.Address);
            return;
        }
        var e = Get(mac);
        // Signs of life: the device answered (REACHABLE), the kernel held it reachable up to now
        // (leaving REACHABLE: a confirmation is at most its reachable time, ~15-45 s, old and no
        // event comes meanwhile), or it has just spoken first (an entry that appears STALE was
        // made from the device's own ARP or neighbour solicitation).
        bool appeared = !e.Neighbours.TryGetValue(n.Address, out var before);
        bool wasReachable = !appeared && before.HasFlag(NeighbourState.Reachable);
        e.Neighbours[n.Address] = n.State;
        if (n.State.HasFlag(NeighbourState.Reachable) || wasReachable || n.State == NeighbourState.Stale && appeared && !dump) e.LastSeen = monotonic.Now;
    }

    public void SetLeases(IEnumerable<DhcpLease> leases)
    {
        lock (gate)
        {
            var before = entries.Values.Where(e => e.LeaseAddress is not null).ToDictionary(e => e.Mac, e => (e.LeaseAddress, e.LeaseExpires));
            foreach (var e in entries.Values) (e.LeaseAddress, e.LeaseExpires) = (null, null);
            foreach (var l in leases)
            {
                var e = Get(l.Mac);
                (e.LeaseAddress, e.LeaseExpires) = (l.Address, l.Expires);
                if (l.Hostname is not null) e.Hostname = l.Hostname;
                // A lease granted or renewed since the last read: the device just asked for it.
                if (leasesRead && (!before.TryGetValue(l.Mac, out var was) || was != (l.Address, l.Expires))) e.LastSeen = monotonic.Now;
            }
            leasesRead = true;
        }
    }

    /// <summary>These devices' traffic counters moved since the last sample: a sign of life
    /// (forwarded traffic never refreshes the neighbour table).</summary>
    public void Moved(IEnumerable<MacAddress> macs)
    {
        lock (gate)
            foreach (var mac in macs)
                if (entries.TryGetValue(mac, out var e)) e.LastSeen = monotonic.Now;
    }

    /// <summary>The IPv4 addresses of devices that have been quiet for a third of the quiet period but
    /// whose neighbour entry still stands (STALE): asking them is how an idle, plugged-in
    /// device stays online. Wi-Fi stations are left out: hostapd says whether they are there.</summary>
    public IReadOnlyList<IPAddress> ToProbe()
    {
        var now = monotonic.Now;
        var after = Presence.ProbeAfter(QuietPeriod);
        lock (gate)
            return entries.Values
                .Where(e => e.WifiAssociated is null && !Answering(e) && (e.LastSeen is not { } seen || now - seen >= after))
                .SelectMany(e => e.Neighbours.Where(kv => kv.Key.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                    && (kv.Value & (NeighbourState.Stale | NeighbourState.Delay | NeighbourState.Probe)) != 0).Select(kv => kv.Key))
                .ToList();
    }

    /// <summary>The kernel holds one of the device's addresses REACHABLE (confirmed within its reachable time).</summary>
    static bool Answering(Entry e) => e.Neighbours.Values.Any(s => s.HasFlag(NeighbourState.Reachable));

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
        if (associated) e.LastSeen = monotonic.Now;
    }

    Entry Get(MacAddress mac)
    {
        if (!entries.TryGetValue(mac, out var e))
            entries[mac] = e = new Entry(mac, monotonic.Now);
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
    /// <param name="paused">the devices paused now (the loop's snapshot has them); null: none.</param>
    public IReadOnlyList<DeviceView> View(IReadOnlyList<Settings.DeviceSettings> configured, IReadOnlyDictionary<string, Pause.PauseStatus>? paused = null)
    {
        var byMac = new Dictionary<string, Settings.DeviceSettings>();
        foreach (var c in configured)
            if (MacAddress.TryParse(c.Mac, out var m)) byMac[m.ToString()] = c;
        var seen = Snapshot();
        DeviceView Said(DeviceView d, Settings.DeviceSettings c)
        {
            var p = paused?.GetValueOrDefault(d.Mac);
            return d with
            {
                Name = c.Name, Priority = c.Priority, PriorityUntil = c.PriorityUntil,
                Paused = p is not null, PausedUntil = p?.Until, PausedBy = p?.By, PauseSchedule = c.PauseSchedule,
            };
        }
        var list = seen.Select(d => byMac.TryGetValue(d.Mac, out var c) ? Said(d, c) : d).ToList();
        var seenMacs = seen.Select(d => d.Mac).ToHashSet();
        list.AddRange(byMac.Where(kv => !seenMacs.Contains(kv.Key))
            .Select(kv => Said(new DeviceView(kv.Key, null, [], false, null, null), kv.Value)));
        return list;
    }

    public bool Knows(MacAddress mac)
    {
        lock (gate) return entries.ContainsKey(mac);
    }

    public IReadOnlyList<DeviceView> Snapshot()
    {
        var (now, elapsed) = (clock.GetUtcNow(), monotonic.Now);
        DateTimeOffset? Date(TimeSpan? at) => at is { } t ? now - (elapsed - t) : null;
        // A device the kernel holds REACHABLE answered within its reachable time and no event comes
        // until that lapses: it is seen as of now, not as of the confirmation (up to ~45 s old).
        DateTimeOffset? Seen(Entry e) => Answering(e) ? now : Date(e.LastSeen);
        lock (gate)
        {
            return entries.Values
                .OrderBy(e => e.Mac.Value)
                .Select(e => new DeviceView(
                    e.Mac.ToString(),
                    e.Hostname,
                    Addresses(e),
                    Presence.Online(e.WifiAssociated, Seen(e), now, QuietPeriod),
                    Date(e.FirstSeen),
                    Seen(e),
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
