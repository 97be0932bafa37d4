using System.Globalization;
using System.Text.RegularExpressions;

namespace Routerd.Core.Qos;

/// <summary>One HTB class's counters as the kernel reports them: what it sent, what its queue
/// dropped, how often it hit its rate, and what is waiting in it now.</summary>
public sealed record QueueClassStats(
    string ClassId,
    long SentBytes,
    long SentPackets,
    long Dropped,
    long Overlimits,
    long BacklogBytes,
    long BacklogPackets);

/// <summary>Reads a device's class statistics (the tc adapter).</summary>
public interface IQueueStatsReader
{
    IReadOnlyList<QueueClassStats> ReadClassStats(string device);

    /// <summary>A shaped download's cake (TcRenderer.CakeDownload): its tins as the lane's and
    /// bulk's figures (CakeTinText).</summary>
    IReadOnlyList<QueueClassStats> ReadTinStats(string device);
}

/// <summary>Parses `tc -s class show dev X`. The text form, because iproute2 6.1 prints HTB
/// classes as text even with -j.</summary>
public static partial class TcClassText
{
    public static IReadOnlyList<QueueClassStats> Parse(string text)
    {
        var result = new List<QueueClassStats>();
        foreach (Match block in ClassBlock().Matches(text))
        {
            string body = block.Groups["body"].Value;
            var sent = Sent().Match(body);
            var backlog = Backlog().Match(body);
            if (!sent.Success) continue;
            result.Add(new QueueClassStats(
                block.Groups["id"].Value,
                Long(sent.Groups["bytes"].Value),
                Long(sent.Groups["pkts"].Value),
                Long(sent.Groups["dropped"].Value),
                Long(sent.Groups["over"].Value),
                backlog.Success ? Size(backlog.Groups["size"].Value) : 0,
                backlog.Success && backlog.Groups["pkts"].Success ? Long(backlog.Groups["pkts"].Value) : 0));
        }
        return result;
    }

    internal static long Long(string s) => long.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>tc prints sizes as 1514b, 15Kb, 1.5Mb (powers of 1024).</summary>
    internal static long Size(string s)
    {
        var m = SizeText().Match(s);
        double n = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        return (long)(n * m.Groups["unit"].Value switch { "K" => 1024, "M" => 1024 * 1024, "G" => 1024L * 1024 * 1024, _ => 1 });
    }

    [GeneratedRegex(@"^class htb (?<id>[0-9a-f]+:[0-9a-f]+)[^\n]*\n(?<body>(?:[ \t][^\n]*\n?)*)", RegexOptions.Multiline)]
    private static partial Regex ClassBlock();

    [GeneratedRegex(@"Sent (?<bytes>\d+) bytes (?<pkts>\d+) pkt \(dropped (?<dropped>\d+), overlimits (?<over>\d+)")]
    private static partial Regex Sent();

    [GeneratedRegex(@"backlog (?<size>[\d.]+[KMG]?b)(?: (?<pkts>\d+)p)?")]
    private static partial Regex Backlog();

    [GeneratedRegex(@"^(?<n>[\d.]+)(?<unit>[KMG]?)b$")]
    private static partial Regex SizeText();
}
