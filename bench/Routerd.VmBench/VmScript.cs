using System.Globalization;
using Routerd.Lab;
using Routerd.Vm;

namespace Routerd.Bench;

/// <summary>Boots the lab VM once for one benchmark script and reads back the figures it wrote
/// (`result NAME VALUE`, one file each). A script that failed gets its log printed, and no
/// figures.</summary>
static class VmScript
{
    public static Figures? Run(string relativePath, IReadOnlyDictionary<string, string>? environment = null)
    {
        string script = Path.Combine(RouterdCommand.RepoRoot(), relativePath);
        string name = Path.GetFileNameWithoutExtension(script);
        using var run = LabVm.Run(new VmRunOptions
        {
            Scenarios = [script],
            Environment = environment ?? new Dictionary<string, string>(),
            Log = m => Console.Error.WriteLine($"vm: {m}"),
        });
        var s = run[name];
        if (s.Passed) return new Figures(s);
        Console.Error.WriteLine(run.Explain(name));
        return null;
    }
}

/// <summary>What a benchmark script wrote; read while the run directory still exists.</summary>
sealed class Figures
{
    readonly Dictionary<string, string> values = [];

    public Figures(ScenarioResult s) : this(s.Directory) { }

    /// <summary>A results directory kept from an earlier run (ROUTERD_VM_KEEP=1), read again.</summary>
    public Figures(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
            values[Path.GetFileName(file)] = File.ReadAllText(file).Trim();
    }

    /// <summary>One number; a figure the script did not write is an error, never a zero.</summary>
    public double Number(string key) =>
        values.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v : throw new InvalidDataException($"the benchmark script wrote no number '{key}'");

    public bool Has(string key) => values.ContainsKey(key);

    /// <summary>One number per line (each repetition of a measurement).</summary>
    public List<double> Numbers(string key) =>
        (values.TryGetValue(key, out var text) ? text : throw new InvalidDataException($"the benchmark script wrote no '{key}'"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToList();
}
