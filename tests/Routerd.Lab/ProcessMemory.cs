using System.Globalization;

namespace Routerd.Lab;

/// <summary>Where a process's resident memory is, from /proc/PID/smaps (MB): what of it is the
/// program's own file (NativeAOT's code and data pages count in RSS too), other files (libc, ...),
/// the managed heap (the GC reserves one large address range up front and commits inside it:
/// the anonymous mappings of a contiguous run of at least 1 GiB), glibc's malloc (the brk heap and
/// the 64 MiB arenas threads get) and the rest (thread stacks, the runtime's own).
/// A diagnosis for the load figures (issue 18), not a measurement of record: the GC's run and
/// the arenas are told apart by size and alignment alone.</summary>
public sealed record ProcessMemory(double Rss, double Anonymous, double Binary, double OtherFiles, double GcHeap, double Malloc, double OtherAnonymous)
{
    const long GcRun = 1L << 30, Arena = 64L << 20;

    public static ProcessMemory Of(int pid)
    {
        string binary = File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: true)?.FullName ?? "";
        var maps = Parse(File.ReadAllLines($"/proc/{pid}/smaps"));
        double rss = 0, anon = 0, bin = 0, files = 0, gc = 0, malloc = 0, other = 0;
        // Anonymous mappings that touch each other are one run (protection changes split a reservation).
        for (int i = 0; i < maps.Count;)
        {
            var m = maps[i];
            rss += m.Rss;
            anon += m.Anonymous;
            if (m.Path.Length > 0 && m.Path[0] == '/')
            {
                if (m.Path == binary) bin += m.Rss; else files += m.Rss;
                i++;
                continue;
            }
            if (m.Path == "[heap]")
            {
                malloc += m.Rss;
                i++;
                continue;
            }
            int j = i + 1;
            while (j < maps.Count && maps[j].Path.Length == 0 && maps[j].Start == maps[j - 1].End) j++;
            long size = maps[j - 1].End - m.Start;
            double runRss = 0;
            for (int k = i; k < j; k++) runRss += maps[k].Rss;
            for (int k = i + 1; k < j; k++) { rss += maps[k].Rss; anon += maps[k].Anonymous; }
            if (m.Path.Length == 0 && size >= GcRun) gc += runRss;
            // Arenas are 64 MiB each, aligned to their size, and often next to each other.
            else if (m.Path.Length == 0 && size % Arena == 0 && m.Start % Arena == 0) malloc += runRss;
            else other += runRss;
            i = j;
        }
        return new ProcessMemory(rss / 1024, anon / 1024, bin / 1024, files / 1024, gc / 1024, malloc / 1024, other / 1024);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"RSS {Rss:0.0} MB: binary {Binary:0.0}, other files {OtherFiles:0.0}, GC heap {GcHeap:0.0}, malloc {Malloc:0.0}, other anonymous {OtherAnonymous:0.0} (anonymous {Anonymous:0.0})");

    sealed record Mapping(long Start, long End, string Path)
    {
        public long Rss, Anonymous; // kB
    }

    static List<Mapping> Parse(string[] lines)
    {
        var maps = new List<Mapping>();
        foreach (var line in lines)
        {
            int colon = line.IndexOf(':');
            int dash = line.IndexOf('-');
            if (dash > 0 && (colon < 0 || dash < colon) && long.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long start))
            {
                var f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                long end = long.Parse(f[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                maps.Add(new Mapping(start, end, f.Length > 5 ? f[5].Trim() : ""));
            }
            else if (maps.Count > 0 && line.StartsWith("Rss:", StringComparison.Ordinal)) maps[^1].Rss = Kb(line);
            else if (maps.Count > 0 && line.StartsWith("Anonymous:", StringComparison.Ordinal)) maps[^1].Anonymous = Kb(line);
        }
        return maps;
    }

    static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
