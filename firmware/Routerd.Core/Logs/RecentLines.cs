namespace Routerd.Core.Logs;

/// <summary>routerd's own last log lines in memory, for the log viewer: the init system keeps the
/// whole log (the image's journal is in RAM too), but reading it back would need journald's API.
/// A ring of <see cref="Capacity"/> lines: the oldest goes when a new one comes.</summary>
public sealed class RecentLines(int capacity = RecentLines.DefaultCapacity)
{
    public const int DefaultCapacity = 2000;
    readonly (DateTimeOffset At, string Line)[] ring = new (DateTimeOffset, string)[capacity];
    readonly Lock gate = new();
    int next, count;

    public int Capacity => ring.Length;

    public void Add(DateTimeOffset at, string line)
    {
        lock (gate)
        {
            ring[next] = (at, line);
            next = (next + 1) % ring.Length;
            count = Math.Min(count + 1, ring.Length);
        }
    }

    /// <summary>The kept lines, oldest first.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Line)> Snapshot()
    {
        lock (gate)
        {
            var lines = new List<(DateTimeOffset, string)>(count);
            for (int i = 0; i < count; i++) lines.Add(ring[(next - count + i + ring.Length) % ring.Length]);
            return lines;
        }
    }
}

/// <summary>Where the log viewer's lines come from (the OS edge: files, routerd's memory).</summary>
public interface ILogSource
{
    IReadOnlyList<LogEntry> Read(IReadOnlyList<string> sources);
}
