using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Routerd.Platform.Processes;

/// <summary>Keeps one daemon (dnsmasq, udhcpc, pppd, hostapd) running: starts it, restarts it
/// with a growing delay when it dies (or, for pppd, reports the exit and restarts when its owner
/// says), and stops it for good on request. Its output
/// goes to a log file of its own. A pid file in the run directory lets the next routerd clear
/// away a child that outlived a crashed routerd: with the start time kept beside it (NAME.start)
/// it names the process even after it renamed itself or exec'd another program (unshare
/// becomes dhcpcd, which calls itself "dhcpcd: [manager]"), and never an unrelated process
/// that got the pid later.</summary>
public sealed partial class Supervisor : IDisposable
{
    static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    /// <summary>A run this long counts as healthy: the next failure restarts quickly again.</summary>
    static readonly TimeSpan HealthyRun = TimeSpan.FromSeconds(10);

    readonly string name, file, pidFile, startFile, logFile;
    readonly IReadOnlyList<string> arguments;
    readonly ILogger log;
    readonly Lock gate = new();
    Process? process;
    bool stopping;
    TimeSpan delay = FirstDelay;
    readonly CancellationTokenSource stopped = new();
    /// <summary>Gets each exit (code, pid) instead of the built-in backoff; the owner then calls <see cref="RestartAfter"/>.</summary>
    readonly Action<int, int>? exitReport;
    /// <summary>Sees each line the child writes (before it goes to the log file).</summary>
    readonly Action<string>? output;
    /// <summary>Told of each exit the supervisor did not cause; the built-in backoff still restarts
    /// the child (hostapd's monitor reconnects on it instead of pinging a dead socket).</summary>
    readonly Action? exited;
    CancellationTokenSource? pending;

    public Supervisor(string name, string file, IReadOnlyList<string> arguments, string runDir, string logDir, ILogger log,
        Action<int, int>? exitReport = null, Action<string>? output = null, Action? exited = null)
    {
        this.output = output;
        this.exited = exited;
        this.name = name;
        this.file = file;
        this.arguments = arguments;
        this.log = log;
        this.exitReport = exitReport;
        pidFile = Path.Combine(runDir, name + ".pid");
        startFile = Path.Combine(runDir, name + ".start");
        logFile = Path.Combine(logDir, name + ".log");
    }

    public IReadOnlyList<string> Arguments => arguments;

    /// <summary>The running child's PID, or null while it is (re)starting.</summary>
    public int? Pid
    {
        get { lock (gate) return process is { HasExited: false } p ? p.Id : null; }
    }

    public int Restarts { get; private set; }

    public void Start()
    {
        KillStale(pidFile, startFile, file, log);
        Launch();
    }

    /// <summary>Starts the child outside the lock: a Stop never waits for a fork and exec (a
    /// caller may hold its own lock while it stops us). A Stop that comes meanwhile finds no
    /// process to end; the new one is then ended here.</summary>
    void Launch()
    {
        lock (gate) if (stopping) return;
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e)
        {
            LogStartFailed(log, name, e.Message);
            // A program that is missing stays missing: the same growing wait as after an exit,
            // never a loop of failed starts.
            ScheduleRestart(delay);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            return;
        }
        bool stoppedMeanwhile;
        lock (gate)
        {
            stoppedMeanwhile = stopping;
            if (!stoppedMeanwhile)
            {
                process = p;
                WritePid(p.Id);
            }
        }
        if (stoppedMeanwhile)
        {
            try { p.Kill(); p.WaitForExit(1000); }
            catch (InvalidOperationException) { } // already gone
            p.Dispose();
            return;
        }
        LogStarted(log, name, p.Id);
        var startedAt = Stopwatch.GetTimestamp();
        var output = Task.WhenAll(Pump(p.StandardOutput), Pump(p.StandardError));
        _ = ReportExit(p, output, startedAt);
    }

    async Task Pump(StreamReader reader)
    {
        try
        {
            await using var sink = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            while (await reader.ReadLineAsync() is { } line)
            {
                output?.Invoke(line);
                await sink.WriteLineAsync($"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {line}");
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>The exit is reported after the process's last lines were read: WaitForExitAsync
    /// does not wait for our own readers, and the owner's output handler may learn from those
    /// lines why it exited (pppd logs "no /dev/ppp" and exits at once: the exit came first).
    /// A child that keeps the pipes open must not hold the report back: one second at most.</summary>
    async Task ReportExit(Process p, Task output, long startedAt)
    {
        await p.WaitForExitAsync().ConfigureAwait(false);
        var ranFor = Stopwatch.GetElapsedTime(startedAt);
        await Task.WhenAny(output, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        Exited(p, ranFor);
    }

    void Exited(Process p, TimeSpan ranFor)
    {
        lock (gate)
        {
            if (!ReferenceEquals(p, process)) return;
            process = null;
            if (stopping) return;
            LogExited(log, name, p.Id, p.ExitCode, ranFor.TotalSeconds);
            if (ranFor >= HealthyRun) delay = FirstDelay;
        }
        exited?.Invoke();
        if (exitReport is not null)
        {
            // The owner's policy (pppd: the exit status says why, routerd's loop decides the wait).
            exitReport(p.ExitCode, p.Id);
            return;
        }
        ScheduleRestart(delay);
        delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
    }

    void ScheduleRestart(TimeSpan after)
    {
        var wait = CancellationTokenSource.CreateLinkedTokenSource(stopped.Token);
        lock (gate) pending = wait;
        _ = Task.Delay(after, wait.Token).ContinueWith(_ =>
        {
            lock (gate) if (ReferenceEquals(pending, wait)) pending = null;
            wait.Dispose();
            // Cancelled by RestartNow: start now; by Stop: not at all.
            if (stopped.IsCancellationRequested) return;
            Restarts++;
            Launch();
        }, TaskScheduler.Default);
    }

    /// <summary>Starts the child again after <paramref name="after"/>; nothing while it runs, is
    /// already waiting, or was stopped.</summary>
    public void RestartAfter(TimeSpan after)
    {
        lock (gate)
            if (stopping || process is not null || pending is not null) return;
        ScheduleRestart(after);
    }

    /// <summary>Ends a pending restart delay: the child starts now (nothing happens while it runs).</summary>
    public void RestartNow()
    {
        lock (gate) pending?.Cancel();
    }

    public bool Signal(int signal)
    {
        lock (gate) return process is { HasExited: false } p && Signals.Send(p.Id, signal);
    }

    /// <summary>SIGTERM, then SIGKILL after a grace period; no restart follows.</summary>
    public void Stop(TimeSpan? grace = null)
    {
        Process? p;
        lock (gate)
        {
            stopping = true;
            p = process;
            process = null;
        }
        stopped.Cancel();
        if (p is not null && !p.HasExited)
        {
            Signals.Send(p.Id, Signals.SIGTERM);
            if (!p.WaitForExit(grace ?? TimeSpan.FromSeconds(3)))
            {
                // With everything it started: dhcpcd's privilege-separation helpers outlived a
                // SIGKILL of dhcpcd alone and kept its sockets (lab VM, a PPPoE session's first dhcpcd).
                p.Kill(entireProcessTree: true);
                p.WaitForExit(1000);
            }
            LogStopped(log, name, p.Id);
        }
        p?.Dispose();
        try { File.Delete(pidFile); File.Delete(startFile); } catch (IOException) { }
    }

    public void Dispose() => Stop();

    /// <summary>The pid file holds the pid alone, as every tool that reads one expects
    /// (`kill $(cat hostapd.pid)`); the child's start time (/proc/PID/stat) goes beside it in
    /// NAME.start: together they name one process even after it execs another program and renames
    /// itself (unshare → dhcpcd). No start file when the child is already gone.</summary>
    void WritePid(int pid)
    {
        File.WriteAllText(pidFile, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{pid}\n"));
        if (ProcessTable.Stat(pid) is { } s)
            File.WriteAllText(startFile, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{s.StartTime}\n"));
        else
            File.Delete(startFile);
    }

    /// <summary>A child left behind by a routerd that died without stopping it would hold the
    /// DHCP and DNS ports, or (dhcpcd) the control socket the next instance would only send its
    /// command to. The process the pid file names (same pid, same start time) is killed with
    /// everything it started (dhcpcd's privilege-separated helpers), and the new child starts
    /// only when they are gone.</summary>
    static void KillStale(string pidFile, string startFile, string file, ILogger log)
    {
        string text;
        try { text = File.ReadAllText(pidFile).Trim(); }
        catch (FileNotFoundException) { return; }
        catch (DirectoryNotFoundException) { return; }
        if (!int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out int pid) || pid <= 1) return;
        if (ProcessTable.Stat(pid) is not { } stat || stat.State is 'Z' or 'X') return;
        string? start = File.Exists(startFile) ? File.ReadAllText(startFile).Trim() : null;
        bool ours = start is not null
            ? long.TryParse(start, System.Globalization.CultureInfo.InvariantCulture, out long started) && started == stat.StartTime
            // No start time (an older routerd wrote only the pid): the program's name is all there is.
            : ProgramOf(pid) == Path.GetFileName(file);
        if (!ours) return;
        var tree = ProcessTable.Descendants(pid);
        // The parent first: it cannot start another helper once it is gone.
        Signals.Send(pid, Signals.SIGKILL);
        foreach (int child in tree) Signals.Send(child, Signals.SIGKILL);
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 2;
        while (!(ProcessTable.IsGone(pid) && tree.All(ProcessTable.IsGone)) && Stopwatch.GetTimestamp() < deadline)
            Thread.Sleep(10);
        LogKilledStale(log, Path.GetFileName(file), pid, tree.Count);
    }

    static string? ProgramOf(int pid)
    {
        try { return Path.GetFileName(File.ReadAllText($"/proc/{pid}/cmdline").Split('\0')[0]); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name} started, pid {Pid}")]
    static partial void LogStarted(ILogger log, string name, int pid);
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name} (pid {Pid}) exited with code {Code} after {Seconds:0.0} s; restarting")]
    static partial void LogExited(ILogger log, string name, int pid, int code, double seconds);
    [LoggerMessage(Level = LogLevel.Error, Message = "{Name} could not be started: {Reason}")]
    static partial void LogStartFailed(ILogger log, string name, string reason);
    [LoggerMessage(Level = LogLevel.Information, Message = "{Name} stopped (pid {Pid})")]
    static partial void LogStopped(ILogger log, string name, int pid);
    [LoggerMessage(Level = LogLevel.Warning, Message = "killed {Name} pid {Pid} and the {Children} processes it started, left behind by an earlier routerd")]
    static partial void LogKilledStale(ILogger log, string name, int pid, int children);
}
