using System.Diagnostics;
using System.Text;

namespace Routerd.Lab;

/// <summary>A command the lab started. It runs under <c>setsid</c>, so it leads its own process
/// group: stopping it signals the group and so also reaches what it spawned (dnsmasq under
/// routerd, socat's forked relays), and Ctrl-C in the terminal reaches only the lab, which then
/// stops everything in order.</summary>
public sealed class LabProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder stdout = new(), stderr = new();
    readonly StreamWriter? log;
    int disposed;

    public string Name { get; }
    public int Pid { get; }

    LabProcess(string name, Process process, string? logFile)
    {
        Name = name;
        this.process = process;
        Pid = process.Id;
        if (logFile is not null) log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Collect(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Starts <paramref name="argv"/> in a new session; its output goes to memory and,
    /// if given, to <paramref name="logFile"/> (so `up` users can tail it). With
    /// <paramref name="keepStdin"/> its standard input stays open for <see cref="Release"/>.</summary>
    public static LabProcess Start(string name, IReadOnlyList<string> argv, string? logFile = null, bool keepStdin = false)
    {
        var psi = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in argv) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {string.Join(' ', argv)}");
        if (!keepStdin) p.StandardInput.Close(); // nothing the lab starts reads the terminal
        return new LabProcess(name, p, logFile);
    }

    /// <summary>Writes a line to the process's standard input and closes it: what a gated
    /// start (<c>read</c> in a shell, then <c>exec</c>) waits for.</summary>
    public void Release()
    {
        if (process.StandardInput.BaseStream.CanWrite) process.StandardInput.WriteLine();
        process.StandardInput.Close();
    }

    void Collect(StringBuilder into, string? line)
    {
        if (line is null) return;
        lock (into) into.Append(line).Append('\n');
        log?.WriteLine(line);
    }

    public string Stdout { get { lock (stdout) return stdout.ToString(); } }
    public string Stderr { get { lock (stderr) return stderr.ToString(); } }
    public string Output => Stdout + Stderr;

    public bool HasExited => process.HasExited;
    public int? ExitCode => process.HasExited ? process.ExitCode : null;

    /// <summary>True if it ended within the time; then its output has been read to the end.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) return false;
        process.WaitForExit(); // drains the asynchronous output readers
        return true;
    }

    /// <summary>Signals the whole process group (e.g. SIGUSR1 makes udhcpc renew).</summary>
    public void Signal(int signal) => Posix.KillGroup(Pid, signal);

    /// <summary>SIGTERM to the group, SIGKILL to whatever is left after <paramref name="grace"/>.
    /// The group is signalled even when the leader has exited: its children may not have.</summary>
    public void Stop(TimeSpan grace)
    {
        Posix.KillGroup(Pid, Posix.SIGTERM);
        WaitForExit(grace);
        Posix.KillGroup(Pid, Posix.SIGKILL);
        WaitForExit(TimeSpan.FromSeconds(2));
    }

    /// <summary>Stops it and frees it; a second call (the caller's `using`, then the lab's
    /// teardown) does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        Stop(TimeSpan.FromSeconds(3));
        process.Dispose();
        log?.Dispose();
    }
}
