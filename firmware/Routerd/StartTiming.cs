using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Routerd;

/// <summary>Where `routerd serve`'s start goes, logged at Debug level once routerd is ready: when
/// each phase ended, in milliseconds since Main (the first apply runs on the loop's thread beside
/// the web host's building, so the marks are times, not lengths), and Main's own delay from the process's start (the kernel's record of it, so the
/// runtime's own start is counted) to the ready line. The image benchmark's boots under TCG are
/// read with it (issue 17). The marks are a dozen timestamps; the line is written only at Debug.</summary>
/// <param name="origin">Main's first timestamp (Stopwatch).</param>
sealed partial class StartTiming(long origin)
{
    readonly List<(string Phase, long At)> marks = [];

    /// <summary>The phase <paramref name="phase"/> ends now (any thread).</summary>
    public void Mark(string phase)
    {
        lock (marks) marks.Add((phase, Stopwatch.GetTimestamp()));
    }

    public void Ready(ILogger log)
    {
        if (!log.IsEnabled(LogLevel.Debug)) return;
        var line = new StringBuilder();
        lock (marks)
            foreach (var (phase, at) in marks)
                line.Append(phase).Append(' ').Append(Stopwatch.GetElapsedTime(origin, at).TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)).Append(", ");
        LogStart(log, SinceExec(), line.ToString().TrimEnd(' ', ','), Uptime());
    }

    /// <summary>Milliseconds from the process's exec (its start time in /proc/self/stat, in clock
    /// ticks since boot: USER_HZ, 100 on Linux) to Main: the runtime's start and static constructors.</summary>
    double SinceExec()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            // The fields after the command's closing parenthesis; starttime is field 22 (the 20th of these).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double startedS = long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture) / 100.0;
            return (UptimeAt(origin) - startedS) * 1000;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException) { return double.NaN; }
    }

    static double Uptime() => UptimeAt(Stopwatch.GetTimestamp());

    /// <summary>The boot's uptime in seconds at the monotonic timestamp <paramref name="at"/>.</summary>
    static double UptimeAt(long at)
    {
        double now = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return now - Stopwatch.GetElapsedTime(at).TotalSeconds;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "start: {Exec:F0} ms from exec to Main; since Main (ms): {Phases}; ready at uptime {Uptime:F2} s")]
    static partial void LogStart(ILogger log, double exec, string phases, double uptime);
}
