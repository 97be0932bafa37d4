using Routerd.Core.Net;

namespace Routerd.Core.Usage;

/// <summary>Each device's internet traffic per clock hour (UTC) for the last seven days: what the
/// traffic meter measured between its samples, added to the hour the sample was taken in. Kept in
/// memory (one ring of 168 hours per device, so a read or an add costs the same with 250 devices
/// as with one) and written to the data partition by its keeper at most hourly (Platform/Store/
/// UsageFile.cs), so the SD card is not worn by the meter's samples.</summary>
public sealed class UsageHistory
{
    public const int Hours = 7 * 24;
    static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>One device's ring: slot h % Hours holds hour h when stamp[slot] == h (hours since
    /// the Unix epoch); any other stamp is an hour that fell out of the window, read as zero.</summary>
    sealed class Ring
    {
        public readonly long[] Stamp = new long[Hours], Up = new long[Hours], Down = new long[Hours];

        public Ring() => Array.Fill(Stamp, -1);

        public void Add(long hour, long up, long down)
        {
            int slot = (int)(hour % Hours);
            if (Stamp[slot] != hour) (Stamp[slot], Up[slot], Down[slot]) = (hour, 0, 0);
            Up[slot] += up;
            Down[slot] += down;
        }

        public (long Up, long Down) At(long hour)
        {
            int slot = (int)(hour % Hours);
            return Stamp[slot] == hour ? (Up[slot], Down[slot]) : (0, 0);
        }
    }

    readonly Dictionary<MacAddress, Ring> rings = [];
    readonly Lock gate = new();
    long changes;

    /// <summary>Counts every add, so the keeper can tell whether anything is new since it last wrote.</summary>
    public long Changes { get { lock (gate) return changes; } }

    public static long HourOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 3600;

    /// <summary>The window at <paramref name="now"/>: its first and last hour (the current one).</summary>
    static (long First, long Last) Window(DateTimeOffset now) => (HourOf(now) - Hours + 1, HourOf(now));

    /// <summary>When the window's first hour starts.</summary>
    public static DateTimeOffset FirstHourAt(DateTimeOffset now) => DateTimeOffset.FromUnixTimeSeconds(Window(now).First * 3600);

    /// <summary>The device's ring, made on its first traffic (under the gate).</summary>
    Ring RingOf(MacAddress mac)
    {
        if (!rings.TryGetValue(mac, out var ring)) rings[mac] = ring = new Ring();
        return ring;
    }

    /// <summary>Adds what <paramref name="mac"/> moved to the hour of <paramref name="at"/>.</summary>
    public void Add(MacAddress mac, long upload, long download, DateTimeOffset at)
    {
        if (upload <= 0 && download <= 0) return;
        lock (gate)
        {
            RingOf(mac).Add(HourOf(at), Math.Max(0, upload), Math.Max(0, download));
            changes++;
        }
    }

    /// <summary>The device's last seven days up to and including the current hour, oldest first;
    /// null when it has moved nothing in that time.</summary>
    public DeviceUsage? Of(MacAddress mac, DateTimeOffset now)
    {
        var (first, _) = Window(now);
        var up = new long[Hours];
        var down = new long[Hours];
        lock (gate)
        {
            if (!rings.TryGetValue(mac, out var ring)) return null;
            for (int i = 0; i < Hours; i++) (up[i], down[i]) = ring.At(first + i);
        }
        if (up.All(v => v == 0) && down.All(v => v == 0)) return null;
        return new DeviceUsage(FirstHourAt(now), Hour, up, down);
    }

    /// <summary>Every hour of the window that holds traffic, for the keeper to write.</summary>
    public IReadOnlyList<UsageRecord> Export(DateTimeOffset now)
    {
        var (first, last) = Window(now);
        var result = new List<UsageRecord>();
        lock (gate)
            foreach (var (mac, ring) in rings)
                for (long h = first; h <= last; h++)
                    if (ring.At(h) is var (up, down) && (up != 0 || down != 0))
                        result.Add(new UsageRecord(mac, h, up, down));
        return result;
    }

    /// <summary>Adds what the keeper read back at start; hours outside the window are dropped.</summary>
    public void Import(IEnumerable<UsageRecord> records, DateTimeOffset now)
    {
        var (first, last) = Window(now);
        lock (gate)
            foreach (var r in records)
            {
                if (r.Hour < first || r.Hour > last || (r.Upload <= 0 && r.Download <= 0)) continue;
                RingOf(r.Mac).Add(r.Hour, Math.Max(0, r.Upload), Math.Max(0, r.Download));
            }
    }

    /// <summary>Forgets everything (a factory reset: the history is the owner's data too).</summary>
    public void Clear()
    {
        lock (gate)
        {
            rings.Clear();
            changes++;
        }
    }

    /// <summary>Forgets devices that moved nothing in the window (they would only be zeros).</summary>
    public void Prune(DateTimeOffset now)
    {
        var (first, last) = Window(now);
        lock (gate)
            foreach (var mac in rings.Where(kv => !kv.Value.Stamp.Any(s => s >= first && s <= last)).Select(kv => kv.Key).ToList())
                rings.Remove(mac);
    }
}

/// <summary>One device's hours, oldest first: hour i starts at <see cref="FirstHour"/> + i × <see cref="Step"/>.</summary>
public sealed record DeviceUsage(DateTimeOffset FirstHour, TimeSpan Step, long[] Upload, long[] Download);

/// <summary>What a device moved in one hour (hours since the Unix epoch, UTC), as the keeper stores it.</summary>
public readonly record struct UsageRecord(MacAddress Mac, long Hour, long Upload, long Download);
