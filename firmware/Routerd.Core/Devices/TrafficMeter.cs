using System.Net;
using Routerd.Core.Net;
using Routerd.Core.Diagnostics;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Usage;
using Routerd.Core.Wan;

namespace Routerd.Core.Devices;

/// <summary>Turns the firewall's per-element counters into per-device totals and rates. Upload
/// is counted by MAC; download by destination address, credited to whichever device holds that
/// address when the sample is taken, so a device keeps its totals across renumbering. Elements
/// come and go (idle timeout, a ruleset reload empties the sets): a counter that went backwards
/// started over, and all of it is new traffic.
///
/// The connections conntrack counts (Firewall/ConnectionCounting.cs: those a device outside the
/// VIP lane opens) are read from conntrack instead: each one's original direction is its
/// opener's upload, its reply direction that device's download, credited to whoever holds the
/// opener's address. They are followed by the kernel's id, so each sample adds what each
/// connection counted since the previous one; a connection that ends between two samples loses
/// what it counted since the last one, which is why samples come often (<see cref="SampleEvery"/>):
/// a closed TCP connection stays in the table at least 10 s (CLOSE), usually 120 s (TIME_WAIT).</summary>
public sealed class TrafficMeter(ISetCounterReader nft, DeviceRegistry devices, TimeProvider clock)
{
    /// <summary>Told after a sample which devices' counters moved (a sign of life for presence:
    /// the loop passes it to the registry).</summary>
    public Action<IReadOnlyList<MacAddress>>? Moved { get; init; }

    /// <summary>Each device's traffic per hour for the last week, fed by every sample after the first.</summary>
    public UsageHistory History { get; } = new();

    /// <summary>A read of the API never costs more than one sample per this interval.</summary>
    public static readonly TimeSpan FreshEnough = TimeSpan.FromSeconds(1);

    sealed class Totals
    {
        public long UpBytes, UpPackets, DownBytes, DownPackets;
        public long UpBps, DownBps;
        public long IntervalUp, IntervalDown;
    }

    /// <summary>The connection table, where conntrack counts connections; null: never read (tests of the sets alone).</summary>
    public IConntrackReader? Conntrack { get; init; }

    /// <summary>How often a sampler should sample when nobody reads the API.</summary>
    public static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(4);

    readonly Dictionary<(string Set, string Element), SetCounter> last = [];
    /// <summary>What the conntrack-counted connections had counted at the last sample.</summary>
    readonly ConnectionLedger connections = new();
    readonly Dictionary<MacAddress, Totals> totals = [];
    readonly Lock gate = new();
    /// <summary>When the last sample was taken, on the monotonic clock (null: never): the rates and
    /// <see cref="FreshEnough"/> are durations, which NTP stepping the date must not stretch or turn negative.</summary>
    TimeSpan? sampledAt;
    readonly Time.MonotonicClock monotonic = new(clock);

    /// <summary>Samples unless the last sample is recent enough.</summary>
    public void Refresh()
    {
        lock (gate)
            if (sampledAt is not { } at || monotonic.Now - at >= FreshEnough) SampleLocked();
    }

    public void Sample()
    {
        lock (gate) SampleLocked();
    }

    /// <summary>The ruleset is about to be replaced (the loop's apply): what the sets counted so
    /// far is taken now, since a reload empties them.</summary>
    public void BeforeReload() => Sample();

    void SampleLocked()
    {
        var (now, elapsed) = (clock.GetUtcNow(), monotonic.Now); // the date files usage by hour
        foreach (var t in totals.Values) t.IntervalUp = t.IntervalDown = 0;

        foreach (var (mac, delta) in Deltas(NftRenderer.TrafficUpSet, e => MacAddress.TryParse(e, out var m) ? m : null))
        {
            var t = Of(mac);
            t.UpBytes += delta.Bytes;
            t.UpPackets += delta.Packets;
            t.IntervalUp += delta.Bytes;
        }
        var owners = devices.AddressOwners();
        MacAddress? Owner(string element) => IPAddress.TryParse(element, out var ip) && owners.TryGetValue(ip, out var m) ? m : null;
        foreach (var set in new[] { NftRenderer.TrafficDownV4Set, NftRenderer.TrafficDownV6Set })
            foreach (var (mac, delta) in Deltas(set, Owner))
            {
                var t = Of(mac);
                t.DownBytes += delta.Bytes;
                t.DownPackets += delta.Packets;
                t.IntervalDown += delta.Bytes;
            }

        if (Conntrack is { } conntrack)
            foreach (var (mac, up, down) in ConnectionDeltas(conntrack, owners))
            {
                var t = Of(mac);
                t.UpBytes += up.Bytes;
                t.UpPackets += up.Packets;
                t.IntervalUp += up.Bytes;
                t.DownBytes += down.Bytes;
                t.DownPackets += down.Packets;
                t.IntervalDown += down.Bytes;
            }

        bool first = sampledAt is null;
        double seconds = first ? 0 : (elapsed - sampledAt!.Value).TotalSeconds;
        var moved = totals.Where(kv => kv.Value.IntervalUp > 0 || kv.Value.IntervalDown > 0).Select(kv => kv.Key).ToList();
        // The first sample holds whatever was counted before routerd looked: no sign of life now.
        if (!first && moved.Count > 0) Moved?.Invoke(moved);
        if (!first)
            foreach (var mac in moved)
                History.Add(mac, totals[mac].IntervalUp, totals[mac].IntervalDown, now);
        foreach (var t in totals.Values)
        {
            // The first sample holds everything counted before routerd looked: no rate from it.
            // Nor from one at the same moment as the last (the loop's sample before a reload, then a read).
            t.UpBps = first || seconds <= 0 ? 0 : (long)(t.IntervalUp * 8 / seconds);
            t.DownBps = first || seconds <= 0 ? 0 : (long)(t.IntervalDown * 8 / seconds);
        }
        sampledAt = elapsed;
    }

    /// <summary>What each element counted since the previous sample, credited to its device;
    /// elements nobody owns (a device that left) are dropped.</summary>
    List<(MacAddress Mac, SetCounter Delta)> Deltas(string set, Func<string, MacAddress?> owner)
    {
        var result = new List<(MacAddress, SetCounter)>();
        var seen = new HashSet<string>();
        foreach (var c in nft.ReadSetCounters(set))
        {
            seen.Add(c.Element);
            var key = (set, c.Element);
            var delta = last.TryGetValue(key, out var prev) && c.Bytes >= prev.Bytes && c.Packets >= prev.Packets
                ? new SetCounter(c.Element, c.Packets - prev.Packets, c.Bytes - prev.Bytes)
                : c;
            last[key] = c;
            if ((delta.Bytes != 0 || delta.Packets != 0) && owner(c.Element) is { } mac) result.Add((mac, delta));
        }
        foreach (var gone in last.Keys.Where(k => k.Set == set && !seen.Contains(k.Element)).ToList())
            last.Remove(gone);
        return result;
    }

    /// <summary>What each device's conntrack-counted connections counted since the previous sample
    /// (all of it for one not seen before), credited to the device holding the opener's address.
    /// The table is walked, not held, and each connection is remembered in 24 bytes
    /// (<see cref="ConnectionLedger"/>): beside 90k connections, holding a dump's entries (about
    /// 650 bytes each) and a dictionary of them took routerd from 38 to 89 MB (issue 21's note).</summary>
    List<(MacAddress Mac, SetCounter Up, SetCounter Down)> ConnectionDeltas(IConntrackReader conntrack, IReadOnlyDictionary<IPAddress, MacAddress> owners)
    {
        var byDevice = new Dictionary<MacAddress, (long UpPackets, long UpBytes, long DownPackets, long DownBytes)>();
        connections.BeginRead();
        conntrack.Walk(e =>
        {
            if ((e.Mark & ConnectionCounting.CountedMarkBit) == 0 || e.Id is not { } id) return;
            var o = e.Original;
            var (up, down) = connections.Advance(id, HashCode.Combine(e.Protocol, o.Source, o.Destination, o.SourcePort, o.DestinationPort),
                e.OriginalBytes ?? 0, e.OriginalPackets ?? 0, e.ReplyBytes ?? 0, e.ReplyPackets ?? 0);
            if (up.Packets + up.Bytes + down.Packets + down.Bytes == 0 || !owners.TryGetValue(o.Source, out var mac)) return;
            byDevice.TryGetValue(mac, out var t);
            byDevice[mac] = (t.UpPackets + up.Packets, t.UpBytes + up.Bytes, t.DownPackets + down.Packets, t.DownBytes + down.Bytes);
        });
        connections.EndRead();
        return [.. byDevice.Select(kv => (kv.Key, new SetCounter("", kv.Value.UpPackets, kv.Value.UpBytes), new SetCounter("", kv.Value.DownPackets, kv.Value.DownBytes)))];
    }

    Totals Of(MacAddress mac)
    {
        if (!totals.TryGetValue(mac, out var t)) totals[mac] = t = new Totals();
        return t;
    }

    /// <summary>The device's traffic, or null when it has sent or received nothing yet.</summary>
    public DeviceTraffic? Of(string mac)
    {
        if (!MacAddress.TryParse(mac, out var m)) return null;
        lock (gate)
            return totals.TryGetValue(m, out var t)
                ? new DeviceTraffic(t.UpBytes, t.UpPackets, t.DownBytes, t.DownPackets, t.UpBps, t.DownBps)
                : null;
    }
}
