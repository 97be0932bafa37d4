using Routerd.Core.Firewall;

namespace Routerd.Core.Qos;

/// <summary>Parses the tin table of `tc -s qdisc show dev X` for the shaped download's cake
/// (TcRenderer.CakeDownload) into the two figures a tree gives: the lane ("vip", tin 1) and
/// everyone else ("bulk", the other seven tins added up; only tin 0 carries anything much). The
/// table has one column per tin (`precedence`: Tin 0 ... Tin 7) and one row per counter; cake
/// keeps no overlimits and no queued packets per tin.</summary>
public static class CakeTinText
{
    const int Tins = 8;

    public static IReadOnlyList<QueueClassStats> Parse(string text)
    {
        int start = text.IndexOf("qdisc cake 1: root", StringComparison.Ordinal);
        if (start < 0) return [];
        int end = text.IndexOf("\nqdisc ", start, StringComparison.Ordinal);
        var rows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var line in text[start..(end < 0 ? text.Length : end)].Split('\n'))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == Tins + 1) rows.TryAdd(words[0], words[1..]);
        }
        if (!rows.TryGetValue("bytes", out var bytes) || !rows.TryGetValue("pkts", out var pkts) || !rows.TryGetValue("drops", out var drops))
            return [];
        var backlog = rows.GetValueOrDefault("backlog");
        var ackDrops = rows.GetValueOrDefault("ack_drop");
        QueueClassStats Sum(string id, IEnumerable<int> tins)
        {
            var t = tins.ToList();
            return new QueueClassStats(id,
                t.Sum(i => TcClassText.Long(bytes[i])),
                t.Sum(i => TcClassText.Long(pkts[i])),
                t.Sum(i => TcClassText.Long(drops[i]) + (ackDrops is null ? 0 : TcClassText.Long(ackDrops[i]))),
                0,
                backlog is null ? 0 : t.Sum(i => TcClassText.Size(backlog[i])),
                0);
        }
        return
        [
            Sum(NftRenderer.VipClass, [TcRenderer.CakeLaneColumn]),
            Sum(TcRenderer.BulkClass, Enumerable.Range(0, Tins).Where(i => i != TcRenderer.CakeLaneColumn)),
        ];
    }
}
