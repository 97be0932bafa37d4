using System.Globalization;
using System.Text.RegularExpressions;
using Routerd.Lab;

namespace Routerd.Bench;

/// <summary>A LAN client pinging the ISP's internet host every 100 ms through the router, for the
/// forwarding interruption an owner's devices see: the longest gap between two replies, and the
/// replies lost (× 0.1 s). Ping's own timestamps (-D), line-buffered (stdbuf) so nothing is lost
/// in a buffer when it is stopped.</summary>
sealed partial class PingGaps : IDisposable
{
    public const double Interval = 0.1;
    readonly LabProcess ping;

    PingGaps(LabProcess ping) => this.ping = ping;

    /// <summary>Starts pinging from <paramref name="client"/> and waits until replies come back
    /// (the measurement starts with forwarding working).</summary>
    public static async Task<PingGaps> Start(Lab.Lab lab, LabClient client)
    {
        var p = new PingGaps(lab.StartIn(client.Namespace,
            $"exec stdbuf -oL ping -D -n -i {Interval.ToString(CultureInfo.InvariantCulture)} {LabAddresses.InternetHost}", "ping"));
        await lab.WaitFor(() => p.Replies().Count >= 10, TimeSpan.FromSeconds(60), "ping replies from the internet host before the measurement");
        return p;
    }

    /// <summary>(ping's timestamp in seconds, icmp_seq) of each reply so far.</summary>
    public List<(double At, int Seq)> Replies() =>
        Reply().Matches(ping.Stdout).Select(m => (double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();

    /// <summary>Waits until replies have come back steadily for 2 s after <paramref name="sinceUnix"/>
    /// (forwarding restored), then stops and returns the figures of the whole run.</summary>
    public async Task<Gaps> StopWhenRestored(Lab.Lab lab, double sinceUnix, TimeSpan timeout)
    {
        await lab.WaitFor(() => Replies().Count(r => r.At > sinceUnix) >= 20, timeout, "forwarding to come back (ping replies from the internet host)");
        var replies = Replies();
        ping.Dispose();
        var seqs = replies.Select(r => r.Seq).Distinct().ToList();
        double longest = replies.Zip(replies.Skip(1), (a, b) => b.At - a.At).DefaultIfEmpty(0).Max();
        int lost = seqs.Max() - seqs.Min() + 1 - seqs.Count;
        return new Gaps(longest, lost, lost * Interval, replies.Count);
    }

    public static double NowUnix() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    public void Dispose() => ping.Dispose();

    [GeneratedRegex(@"^\[(\d+\.\d+)\] \d+ bytes from [^ ]+ icmp_seq=(\d+)", RegexOptions.Multiline)]
    private static partial Regex Reply();
}

/// <summary>One interruption: the longest gap between replies (s), the replies lost and what they
/// amount to at one every 100 ms, and the replies received.</summary>
sealed record Gaps(double LongestGapS, int Lost, double LostS, int Received);
