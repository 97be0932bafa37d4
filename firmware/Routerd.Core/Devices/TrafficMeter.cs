using System.Net;
using Routerd.Core.Net;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Usage;
using Routerd.Core.Wan;

namespace Routerd.Core.Devices;

/// <summary>Turns the firewall's per-element counters into per-device totals and rates. Upload
/// is counted by MAC; download by destination address, credited to whichever device holds that
/// address when the sample is taken, so a device keeps its totals across renumbering. Elements
/// come and go (idle timeout, a ruleset reload empties the sets): a counter that went backwards
/// started over, and all of it is new traffic.</summary>
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

    readonly Dictionary<(string Set, string Element), SetCounter> last = [];
    readonly Dictionary<MacAddress, Totals> totals = [];
    readonly Lock gate = new();
    DateTimeOffset sampledAt = DateTimeOffset.MinValue;

    /// <summary>Samples unless the last sample is recent enough.</summary>
    public void Refresh()
    {
        lock (gate)
            if (clock.GetUtcNow() - sampledAt >= FreshEnough) SampleLocked();
    }

    public void Sample()
    {
        lock (gate) SampleLocked();
    }

    void SampleLocked()
    {
        var now = clock.GetUtcNow();
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

        double seconds = (now - sampledAt).TotalSeconds;
        bool first = sampledAt == DateTimeOffset.MinValue;
        var moved = totals.Where(kv => kv.Value.IntervalUp > 0 || kv.Value.IntervalDown > 0).Select(kv => kv.Key).ToList();
        // The first sample holds whatever was counted before routerd looked: no sign of life now.
        if (!first && moved.Count > 0) Moved?.Invoke(moved);
        if (!first)
            foreach (var mac in moved)
                History.Add(mac, totals[mac].IntervalUp, totals[mac].IntervalDown, now);
        foreach (var t in totals.Values)
        {
            // The first sample holds everything counted before routerd looked: no rate from it.
            t.UpBps = first ? 0 : (long)(t.IntervalUp * 8 / seconds);
            t.DownBps = first ? 0 : (long)(t.IntervalDown * 8 / seconds);
        }
        sampledAt = now;
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
