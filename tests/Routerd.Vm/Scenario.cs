using System.IO.Enumeration;
using System.Text.RegularExpressions;

namespace Routerd.Vm;

/// <summary>A scenario script and its time limit in the guest (`# vm-timeout: SECONDS`, else
/// 120 s), read the same way as the guest's run-suite.sh reads it.</summary>
public sealed partial record Scenario(string Name, string Path, TimeSpan Limit)
{
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(120);

    [GeneratedRegex(@"^[A-Za-z0-9_-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^# vm-timeout: *([0-9]+)", RegexOptions.Multiline)]
    private static partial Regex LimitPattern();

    public static Scenario FromFile(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!full.EndsWith(".sh", StringComparison.Ordinal) || !File.Exists(full))
            throw new ArgumentException($"a scenario is an existing NAME.sh file: {path}");
        string name = System.IO.Path.GetFileNameWithoutExtension(full);
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException($"scenario name '{name}' may hold only letters, digits, '-' and '_'");
        var m = LimitPattern().Match(File.ReadAllText(full));
        var limit = m.Success ? TimeSpan.FromSeconds(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)) : DefaultLimit;
        return new Scenario(name, full, limit);
    }

    /// <summary>The scenarios in <paramref name="directory"/> (sorted by name), limited to those
    /// matching $ROUTERD_VM_SCENARIOS (space-separated names or shell-style globs) if it is set.</summary>
    public static IReadOnlyList<Scenario> InDirectory(string directory)
    {
        var all = Directory.GetFiles(directory, "*.sh").Order(StringComparer.Ordinal).Select(FromFile);
        string? filter = Environment.GetEnvironmentVariable("ROUTERD_VM_SCENARIOS");
        if (string.IsNullOrWhiteSpace(filter)) return all.ToList();
        var globs = filter.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return all.Where(s => globs.Any(g => FileSystemName.MatchesSimpleExpression(g, s.Name))).ToList();
    }
}
