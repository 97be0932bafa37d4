using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Routerd.Core.Loop;

/// <summary>Where a burst of element changes (a forward edit, a priority toggle) spends its time,
/// logged at Debug level: from its first awaiting event's making to the flush, the store's commit,
/// making and comparing the sets, the firewall's transaction, and the answers; with the garbage
/// collections that happened meanwhile and what the flush allocated on the loop's thread. Off (nothing measured) unless Debug is enabled.</summary>
readonly struct SetsTiming
{
    readonly ILogger? log;
    readonly long queued, start;
    readonly int gen0, gen1, gen2;
    readonly TimeSpan paused;
    readonly long allocated;
    // Each phase's end, written as it ends (the struct is a local of FlushSets).
    readonly long[]? marks;

    SetsTiming(ILogger log, long queued)
    {
        this.log = log;
        start = Stopwatch.GetTimestamp();
        this.queued = queued == 0 ? start : queued;
        (gen0, gen1, gen2, paused) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        allocated = GC.GetAllocatedBytesForCurrentThread();
        marks = new long[3];
    }

    public static SetsTiming Start(ILogger log, IReadOnlyList<RouterEvent> awaiting) =>
        log.IsEnabled(LogLevel.Debug) ? new(log, awaiting.Count > 0 ? awaiting.Min(e => e.Made) : 0) : default;

    public void Stored() => Mark(0);
    public void Made() => Mark(1);
    public void Applied() => Mark(2);
    void Mark(int phase)
    {
        if (marks is not null) marks[phase] = Stopwatch.GetTimestamp();
    }

    public void Done(bool stored, bool changed)
    {
        if (log is null || marks is null) return;
        long end = Stopwatch.GetTimestamp();
        static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
        SetsTimingLog.Timing(log, Ms(queued, start), stored ? Ms(start, marks[0]) : 0, Ms(marks[0], marks[1]), changed ? Ms(marks[1], marks[2]) : 0, Ms(marks[2], end),
            GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2, (GC.GetTotalPauseDuration() - paused).TotalMilliseconds,
            (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024);
    }

}

// The logging source generator writes for classes: a struct's partial method would be dropped silently.
static partial class SetsTimingLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "sets flushed: {Waited:F2} ms from the request to the flush, stored in {Stored:F2} ms, made in {Made:F2} ms, " +
        "applied in {Applied:F2} ms, answered in {Answered:F2} ms; GC {Gen0}/{Gen1}/{Gen2} (gen0/1/2) paused {Paused:F2} ms; the flush allocated {KiB} KiB")]
    public static partial void Timing(ILogger log, double waited, double stored, double made, double applied, double answered, int gen0, int gen1, int gen2, double paused, long kiB);
}
