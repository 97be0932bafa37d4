namespace Routerd.Lab;

/// <summary>Network namespaces through iproute2. Only ever called with names the lab made.</summary>
static class Netns
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static CommandResult Ip(params string[] args) => CommandResult.Run(["ip", .. args], Timeout);

    public static IReadOnlyList<string> List() =>
        Ip("netns", "list").EnsureOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0]).ToList();

    public static void Add(string ns)
    {
        Ip("netns", "add", ns).EnsureOk();
        Ip("-n", ns, "link", "set", "lo", "up").EnsureOk();
    }

    /// <summary>PIDs of every process in <paramref name="ns"/>.</summary>
    public static IReadOnlyList<int> Pids(string ns) =>
        Ip("netns", "pids", ns).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, out int p) ? p : 0).Where(p => p > 0).ToList();

    /// <summary>Kills whatever still runs in <paramref name="ns"/> (a namespace outlives its
    /// <c>ip netns del</c> while a process holds it), then deletes it and its /etc/netns entry.</summary>
    public static void Delete(string ns)
    {
        foreach (int pid in Pids(ns)) Posix.Kill(pid, Posix.SIGKILL);
        Ip("netns", "del", ns);
        string etc = Path.Combine("/etc/netns", ns);
        if (Directory.Exists(etc)) Directory.Delete(etc, recursive: true);
    }
}
