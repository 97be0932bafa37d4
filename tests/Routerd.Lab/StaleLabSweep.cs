using System.Text.RegularExpressions;

namespace Routerd.Lab;

/// <summary>Removes what a crashed lab left behind. Every lab name starts with
/// <c>rdlab&lt;pid&gt;&lt;letter&gt;</c>, the PID of the process that made it; when that process is gone,
/// its namespaces, processes, /etc/netns entries and temp dir are garbage. Labs of live processes
/// (parallel runs) are never touched.</summary>
public static partial class StaleLabSweep
{
    public const string NamePrefix = "rdlab";

    [GeneratedRegex(@"rdlab(\d+)[a-z]")]
    private static partial Regex LabPrefix();

    public static void Run(Action<string> log)
    {
        // Processes first (a root-namespace relay would otherwise keep port 8080), then namespaces.
        foreach (int pid in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, out int p) ? p : 0).Where(p => p > 0))
        {
            string cmdline;
            try { cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (LabPrefix().Matches(cmdline).Any(m => IsDead(m)))
            {
                log($"stale lab: killing process {pid}: {cmdline.Trim()}");
                Posix.Kill(pid, Posix.SIGKILL);
            }
        }
        foreach (string ns in Netns.List().Where(n => IsStale(n)))
        {
            log($"stale lab: removing namespace {ns}");
            Netns.Delete(ns);
        }
        foreach (string dir in Directory.EnumerateDirectories(Path.GetTempPath(), NamePrefix + "*").Where(d => IsStale(Path.GetFileName(d))))
        {
            log($"stale lab: removing {dir}");
            Directory.Delete(dir, recursive: true);
        }
    }

    static bool IsStale(string name) => LabPrefix().Match(name) is { Success: true, Index: 0 } m && IsDead(m);

    static bool IsDead(Match m) => int.TryParse(m.Groups[1].Value, out int pid) && !Posix.IsAlive(pid);
}
