using System.Globalization;

namespace Routerd.Platform.Processes;

/// <summary>One process as /proc/&lt;pid&gt;/stat describes it: its state letter, its parent and
/// its start time (clock ticks after boot), which together with the pid names one process for
/// as long as the machine runs, whatever it later calls itself.</summary>
public readonly record struct ProcessStat(char State, int ParentPid, long StartTime)
{
    /// <summary>proc(5): "pid (comm) state ppid ... starttime" with starttime the 22nd field. The
    /// name may hold spaces and parentheses (dhcpcd renames itself "dhcpcd: [manager] ..."), so
    /// the fields are counted from the last ')'.</summary>
    public static ProcessStat? Parse(string text)
    {
        int close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        if (fields.Length < 20 || fields[0].Length != 1
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int ppid)
            || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out long start)) return null;
        return new ProcessStat(fields[0][0], ppid, start);
    }
}

/// <summary>The adapter to /proc for the supervisor: who a pid is, who its children are.</summary>
public static class ProcessTable
{
    public static ProcessStat? Stat(int pid)
    {
        try { return ProcessStat.Parse(File.ReadAllText($"/proc/{pid}/stat")); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Gone, or dead and only waiting for a parent to collect it (its sockets and ports are free).</summary>
    public static bool IsGone(int pid) => Stat(pid) is not { } s || s.State is 'Z' or 'X';

    /// <summary>Every process below <paramref name="pid"/> (children, their children...), read in
    /// one pass over /proc. A process that forked itself away from its parent and was adopted
    /// by init is not found: nothing routerd runs does that (dhcpcd's privilege-separated
    /// helpers stay the children of the process it started).</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int p)) continue;
            if (Stat(p) is not { } s) continue;
            if (!children.TryGetValue(s.ParentPid, out var list)) children[s.ParentPid] = list = [];
            list.Add(p);
        }
        var found = new List<int>();
        var next = new Queue<int>([pid]);
        while (next.TryDequeue(out int parent))
            if (children.TryGetValue(parent, out var list))
                foreach (int child in list)
                    if (!found.Contains(child))
                    {
                        found.Add(child);
                        next.Enqueue(child);
                    }
        return found;
    }
}
