using System.Runtime.InteropServices;

namespace Routerd.Platform.Processes;

/// <summary>POSIX signals for supervised children (dnsmasq reloads on SIGHUP).</summary>
public static partial class Signals
{
    public const int SIGHUP = 1, SIGKILL = 9, SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;
}
