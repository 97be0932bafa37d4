using System.Runtime.InteropServices;
using System.Runtime.Versioning;

// Namespaces, veths and process groups exist only on Linux.
[assembly: SupportedOSPlatform("linux")]

namespace Routerd.Lab;

/// <summary>The two libc calls .NET's Process class lacks: signalling a whole process group,
/// which is how the lab stops a command together with everything it spawned.</summary>
static partial class Posix
{
    public const int SIGKILL = 9;
    public const int SIGUSR1 = 10;
    public const int SIGTERM = 15;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    /// <summary>Signals every process in the group led by <paramref name="pgid"/>; false if none is left.</summary>
    public static bool KillGroup(int pgid, int signal) => kill(-pgid, signal) == 0;

    public static bool Kill(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>True while <paramref name="pid"/> runs. A zombie counts as dead: a lab process
    /// killed with SIGKILL stays one until its parent reaps it, and its lab is garbage already.</summary>
    public static bool IsAlive(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return false; }
        // "pid (comm) S ...": the state follows the last ')' (comm may itself contain one).
        int close = stat.LastIndexOf(')');
        return close > 0 && close + 2 < stat.Length && stat[close + 2] != 'Z' && stat[close + 2] != 'X';
    }
}
