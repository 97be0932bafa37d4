using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Routerd.Core.Settings;

namespace Routerd.Core.Logs;

/// <summary>One log line as the viewer shows it: when, from which program, how bad, what.</summary>
public sealed record LogEntry(DateTimeOffset Time, string Source, string Level, string Text);

/// <summary>GET /api/logs: the newest <see cref="Lines"/> lines that match, oldest first;
/// <see cref="Matched"/> counts every kept line that matched (more than shown: Truncated).</summary>
public sealed record LogView(IReadOnlyList<LogEntry> Lines, int Matched, bool Truncated);

/// <summary>A checked log request: which programs, the least level shown, how many lines.</summary>
public sealed record LogQuery(IReadOnlyList<string> Sources, int MinLevel, int Lines);

/// <summary>What the log viewer reads and how (pure): the sources, the level of a line (routerd's
/// own label; the daemons have none in their output, so words such as "failed" or "timeout" decide),
/// the filter, and the redaction of secrets. The secrets are never meant to be logged; redaction is
/// the second line: whatever a daemon writes (a DHCP hostname a device chose, an error quoting a
/// config line) reaches the owner's screen or a downloaded file without them.</summary>
public static partial class LogRules
{
    /// <summary>routerd itself and the daemons it supervises, by the name of their log file.</summary>
    public static readonly IReadOnlyList<string> Sources = ["routerd", "dnsmasq", "udhcpc", "pppd", "dhcpcd", "hostapd"];
    public static readonly IReadOnlyList<string> Levels = ["info", "warning", "error"];
    public const int DefaultLines = 200, MaxLines = 1000, MaxDownloadLines = 5000;
    /// <summary>A longer line is cut: the answer's size stays bounded (lines × this).</summary>
    public const int MaxLineChars = 1000;
    /// <summary>How much of the end of each daemon's log file is read.</summary>
    public const int TailBytes = 256 * 1024;
    public const string Hidden = "[hidden]";

    public static LogQuery? Check(string? source, string? level, int? lines, int maxLines, List<FieldError> errors)
    {
        int before = errors.Count;
        IReadOnlyList<string> sources = Sources;
        if (!string.IsNullOrEmpty(source) && source != "all")
        {
            var picked = source.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (picked.Length == 0 || picked.Any(s => !Sources.Contains(s)))
                errors.Add(new("source", $"must be all or one or more of {string.Join(", ", Sources)}"));
            else sources = picked.Distinct().ToList();
        }
        int min = string.IsNullOrEmpty(level) ? 0 : Levels.ToList().IndexOf(level);
        if (min < 0) errors.Add(new("level", "must be info, warning or error"));
        int count = lines ?? Math.Min(DefaultLines, maxLines);
        if (count < 1 || count > maxLines) errors.Add(new("lines", $"must be from 1 to {maxLines}"));
        return errors.Count == before ? new LogQuery(sources, min, count) : null;
    }

    /// <summary>A routerd line ("14:02:51.166 warn: Category[0] message", LineLogger's layout) kept at
    /// <paramref name="at"/>, as "Category: message".</summary>
    public static LogEntry Routerd(DateTimeOffset at, string line)
    {
        var m = RouterdLine().Match(line);
        if (!m.Success) return new(at, "routerd", "info", Cut(line));
        string level = m.Groups[1].Value switch { "warn" => "warning", "fail" or "crit" => "error", _ => "info" };
        // "Routerd.Core.Loop.Router[1800983749]" says which part of routerd wrote it; its last name says enough.
        string category = m.Groups[2].Value;
        return new(at, "routerd", level, Cut($"{category[(category.LastIndexOf('.') + 1)..]}: {line[m.Length..]}"));
    }

    /// <summary>A daemon's line as the supervisor wrote it ("2026-12-03T11:02:51.166Z text"); null: not such a line.</summary>
    public static LogEntry? Daemon(string source, string line)
    {
        int space = line.IndexOf(' ');
        if (space < 20 || !DateTimeOffset.TryParse(line.AsSpan(0, space), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return null;
        string text = line[(space + 1)..];
        return new(at, source, Classify(text), Cut(text));
    }

    /// <summary>The level of a daemon's line by its words (dnsmasq, pppd, hostapd and udhcpc print no level).</summary>
    public static string Classify(string text) =>
        ErrorWords().IsMatch(text) ? "error" : WarningWords().IsMatch(text) ? "warning" : "info";

    /// <summary>The newest lines of the query's sources and levels, oldest first, secrets replaced.</summary>
    public static LogView Select(IEnumerable<LogEntry> entries, LogQuery query, IReadOnlyCollection<string> secrets)
    {
        var matched = entries
            .Where(e => query.Sources.Contains(e.Source) && LevelOf(e.Level) >= query.MinLevel)
            .OrderBy(e => e.Time) // stable: a program's lines with one time keep their order
            .ToList();
        var shown = matched.Skip(Math.Max(0, matched.Count - query.Lines)).Select(e => e with { Text = Redact(e.Text, secrets) }).ToList();
        return new LogView(shown, matched.Count, matched.Count > shown.Count);
    }

    /// <summary>Every occurrence of every secret replaced, longest first (one secret may hold another).</summary>
    public static string Redact(string text, IReadOnlyCollection<string> secrets)
    {
        foreach (var s in secrets.Where(s => s.Length > 0).OrderByDescending(s => s.Length))
            if (text.Contains(s, StringComparison.Ordinal)) text = text.Replace(s, Hidden, StringComparison.Ordinal);
        return text;
    }

    /// <summary>The download: one line per entry, "time source level text", UTF-8 text.</summary>
    public static string Text(LogView view)
    {
        var b = new StringBuilder();
        foreach (var e in view.Lines)
            b.Append(e.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(' ')
             .Append(e.Source).Append(' ').Append(e.Level).Append(' ').Append(e.Text.Replace('\n', ' ')).Append('\n');
        return b.ToString();
    }

    static int LevelOf(string level) => Math.Max(0, Levels.ToList().IndexOf(level));

    static string Cut(string text) => text.Length <= MaxLineChars ? text : text[..(MaxLineChars - 1)] + "…";

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} (trce|dbug|info|warn|fail|crit|none): (\S+?)\[-?\d+\] ")]
    private static partial Regex RouterdLine();
    [GeneratedRegex(@"\b(error|errors|failed|failure|fatal|cannot|can't|couldn't|could not|unable|denied|refused|no such)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorWords();
    [GeneratedRegex(@"\b(warn|warning|timeout|timed out|retrying|lost|no response|no answer|disconnected|deauthenticated|exiting|terminated)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WarningWords();
}
