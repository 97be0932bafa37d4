using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Routerd.Vm;

/// <summary>What one boot brought back. Disposing removes the run directory (unless kept).</summary>
public sealed partial class VmRunResult : IDisposable
{
    readonly bool keep;

    public string RunDirectory { get; }
    public string Console { get; }
    /// <summary>QEMU's own stdout/stderr (its complaints about options or files land here).</summary>
    public string QemuOutput { get; }
    public int? QemuExit { get; }
    public bool TimedOut { get; }
    public TimeSpan Elapsed { get; }
    /// <summary>Seconds from power-on to the guest's PID 1 (as the guest's uptime counts them).</summary>
    public double? BootSeconds { get; }
    /// <summary>True when the guest ran every scenario (it writes results/suite-done last).</summary>
    public bool SuiteCompleted { get; }
    public IReadOnlyList<ScenarioResult> Scenarios { get; }

    VmRunResult(string runDir, string console, string qemuOutput, int? exit, bool timedOut, TimeSpan elapsed,
        bool completed, IReadOnlyList<ScenarioResult> scenarios, bool keep)
    {
        RunDirectory = runDir;
        Console = console;
        QemuOutput = qemuOutput;
        QemuExit = exit;
        TimedOut = timedOut;
        Elapsed = elapsed;
        SuiteCompleted = completed;
        Scenarios = scenarios;
        this.keep = keep;
        var m = BootLine().Match(console);
        BootSeconds = m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"lab-vm: booted in ([0-9.]+) s")]
    private static partial Regex BootLine();

    internal static VmRunResult Read(string runDir, string share, string consoleFile, IReadOnlyList<Scenario> scenarios,
        int? exit, bool timedOut, string qemuOutput, TimeSpan elapsed, bool keep)
    {
        string results = Path.Combine(share, "results");
        string console = File.Exists(consoleFile) ? File.ReadAllText(consoleFile) : "";
        var list = scenarios.Select(s => ScenarioResult.Read(s, Path.Combine(results, s.Name))).ToList();
        return new VmRunResult(runDir, console, qemuOutput, exit, timedOut, elapsed,
            File.Exists(Path.Combine(results, "suite-done")), list, keep);
    }

    public ScenarioResult this[string name] =>
        Scenarios.FirstOrDefault(s => s.Name == name) ?? throw new KeyNotFoundException($"scenario '{name}' was not part of this run");

    /// <summary>One line per scenario, for logs.</summary>
    public string Summary()
    {
        var sb = new StringBuilder($"lab VM: boot {BootSeconds?.ToString("0.0", CultureInfo.InvariantCulture) ?? "?"} s, whole run {Elapsed.TotalSeconds:0.0} s{(TimedOut ? ", KILLED at its time limit" : "")}");
        foreach (var s in Scenarios)
            sb.Append($"\n  {s.Name}: {(s.ExitCode is { } c ? (c == 0 ? "passed" : $"exit {c}") : "did not finish")}{(s.Seconds is { } t ? $" in {t:0.0} s" : "")}");
        return sb.ToString();
    }

    /// <summary>Everything needed to understand why <paramref name="name"/> did not pass without a
    /// re-run: its log, and for a guest that died or hung, the end of the console and QEMU's output.</summary>
    public string Explain(string name)
    {
        var s = this[name];
        var sb = new StringBuilder($"scenario {name}: {(s.ExitCode is { } c ? (c == 124 ? "killed at its time limit (exit 124)" : $"exit {c}") : "did not finish")}\n");
        sb.Append("--- its log (").Append(s.Directory).Append("/log)\n").Append(Tail(s.Log, 150));
        if (s.ExitCode is null || TimedOut || !SuiteCompleted)
        {
            sb.Append($"\n--- the guest {(TimedOut ? "was killed at the run's time limit" : $"ended (QEMU exit {QemuExit?.ToString(CultureInfo.InvariantCulture) ?? "?"})")}; console:\n").Append(Tail(Console, 80));
            if (QemuOutput.Length > 0) sb.Append("\n--- QEMU said:\n").Append(Tail(QemuOutput, 30));
        }
        if (keep) sb.Append($"\n(run directory kept: {RunDirectory})");
        return sb.ToString();
    }

    static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return all.Length <= lines ? text : $"[... {all.Length - lines} lines before]\n" + string.Join('\n', all[^lines..]);
    }

    public void Dispose()
    {
        if (!keep && Directory.Exists(RunDirectory)) Directory.Delete(RunDirectory, recursive: true);
    }
}

/// <summary>One scenario's outcome: exit status (null: it never finished, e.g. the guest died),
/// its output, and its results directory with whatever files it wrote (`result NAME VALUE`).</summary>
public sealed record ScenarioResult(string Name, int? ExitCode, double? Seconds, string Log, string Directory)
{
    public bool Passed => ExitCode == 0;

    /// <summary>The trimmed content of a file the scenario wrote, or null if it did not.</summary>
    public string? Value(string file)
    {
        string path = Path.Combine(Directory, file);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    internal static ScenarioResult Read(Scenario s, string dir)
    {
        string Text(string f) => File.Exists(Path.Combine(dir, f)) ? File.ReadAllText(Path.Combine(dir, f)) : "";
        int? exit = int.TryParse(Text("status").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int c) ? c : null;
        double? secs = double.TryParse(Text("seconds").Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double t) ? t : null;
        return new ScenarioResult(s.Name, exit, secs, Text("log"), dir);
    }
}
