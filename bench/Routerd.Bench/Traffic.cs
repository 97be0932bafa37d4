using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Routerd.Lab;

namespace Routerd.Bench;

/// <summary>The traffic the benchmarks make between the lab's namespaces: iperf3 to the internet
/// host (always with --connect-timeout: without it iperf3 waits ~130 s for a lost peer) and ping.</summary>
static partial class Traffic
{
    /// <summary>iperf3 from a LAN client to the internet host; <paramref name="download"/> runs it
    /// reversed (the internet host sends). JSON output; the first <paramref name="omit"/> seconds
    /// (slow start) are left out of the figures.</summary>
    /// <param name="pinned">client on CPU 0, server on CPU 1: a single flow's forwarding then
    /// always runs on the same core as its sender, and runs differ by the path, not by where
    /// the scheduler happened to put the two ends.</param>
    public static string Iperf(int seconds, int flows, bool download, int omit = 1, bool pinned = false) =>
        $"iperf3 -c {LabAddresses.InternetHost} -p {LabAddresses.IperfPort} --connect-timeout 3000 -J " +
        $"-t {seconds} -O {omit} -P {flows}{(download ? " -R" : "")}{(pinned && Environment.ProcessorCount > 1 ? " -A 0,1" : "")}";

    /// <summary>Goodput in bit/s: payload the receiving side got, per second.</summary>
    public static double Goodput(string iperfJson, string what)
    {
        JsonNode? doc;
        try { doc = JsonNode.Parse(iperfJson); }
        catch (System.Text.Json.JsonException) { throw new InvalidOperationException($"{what}: iperf3 gave no JSON:\n{iperfJson}"); }
        if (doc?["error"] is { } error) throw new InvalidOperationException($"{what}: iperf3 failed: {error}");
        return doc?["end"]?["sum_received"]?["bits_per_second"]?.GetValue<double>()
            ?? throw new InvalidOperationException($"{what}: no sum_received in iperf3's output:\n{iperfJson}");
    }

    public static double RunIperf(Lab.Lab lab, LabClient client, int seconds, int flows, bool download, string what, bool pinned = false)
    {
        var r = lab.RunIn(client.Namespace, Iperf(seconds, flows, download, pinned: pinned), TimeSpan.FromSeconds(seconds + 30));
        if (r.TimedOut) throw new InvalidOperationException($"{what}: iperf3 did not finish: {r}");
        return Goodput(r.Stdout, what);
    }

    public static string Ping(int count, double interval, string target = LabAddresses.InternetHost) =>
        string.Create(CultureInfo.InvariantCulture, $"ping -n -c {count} -i {interval} -W 2 {target}");

    /// <summary>The round-trip times ping printed, in ms, and the share of pings that got no
    /// reply (a full queue drops them: that is a result, not a failure of the benchmark).</summary>
    public static (List<double> Rtts, double Loss) Rtts(CommandResult ping, int sent, string what)
    {
        var rtts = RttPattern().Matches(ping.Stdout).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        if (rtts.Count < sent / 2)
            throw new InvalidOperationException($"{what}: only {rtts.Count} of {sent} pings were answered: {ping}");
        return (rtts, 1 - (double)rtts.Count / sent);
    }

    [GeneratedRegex(@"time=([0-9.]+) ms")]
    private static partial Regex RttPattern();
}
