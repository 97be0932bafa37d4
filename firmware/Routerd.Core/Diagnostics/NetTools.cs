using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Routerd.Core.Settings;

namespace Routerd.Core.Diagnostics;

/// <summary>POST /api/diagnostics/ping: how many echo requests (1-10, default 4) to which host.</summary>
public sealed record PingRequest(string? Host, int? Count);

/// <summary>POST /api/diagnostics/traceroute: the hops to a host, at most <see cref="MaxHops"/> (1-30, default 20).</summary>
public sealed record TracerouteRequest(string? Host, int? MaxHops);

/// <summary>POST /api/diagnostics/lookup: a DNS name's A and/or AAAA records (type a, aaaa or
/// both), asked of the router's own DNS (the default) or of the server given as an address.</summary>
public sealed record LookupRequest(string? Name, string? Type, string? Server);

/// <summary>A checked run of ping or traceroute: the program's arguments (the host is the last one
/// and has been checked to be a host name or an address, never an option) and how long it may run
/// before it is ended.</summary>
public sealed record ToolPlan(string Tool, string Host, IReadOnlyList<string> Arguments, TimeSpan Limit);

/// <summary>A checked lookup: the name, the record types in the order asked, and the server (null: the router's own DNS).</summary>
public sealed record LookupPlan(string Name, IReadOnlyList<DnsType> Types, IPAddress? Server);

/// <summary>What ping or traceroute printed (at most <see cref="NetToolRules.MaxLines"/> lines), how
/// it ended, and one sentence that says what it means.</summary>
public sealed record ToolResult(string Tool, string Host, IReadOnlyList<string> Lines, int? ExitCode, bool TimedOut, bool Truncated, string Summary);

/// <summary>One record of a lookup's answer: its owner name, type (A, AAAA, CNAME), TTL and value.</summary>
public sealed record LookupRecord(string Name, string Type, int Ttl, string Value);

/// <summary>A lookup's answer: the server asked, the records, and one sentence (the error when it failed).</summary>
public sealed record LookupResult(string Name, string Server, IReadOnlyList<LookupRecord> Records, string Summary, bool Answered);

/// <summary>Runs the checked tools (the OS edge: ping and traceroute processes, a UDP socket); one
/// run at a time: another that comes meanwhile gets <see cref="NetToolException.Busy"/>.</summary>
public interface INetTools
{
    Task<ToolResult> RunAsync(ToolPlan plan, CancellationToken cancel);
    Task<LookupResult> LookupAsync(LookupPlan plan, IPAddress routerDns, CancellationToken cancel);
}

public sealed class NetToolException(string code, string message) : Exception(message)
{
    public const string Busy = "diagnostics/BUSY", Failed = "diagnostics/TOOL_FAILED";
    public string Code { get; } = code;
}

/// <summary>The rules for the owner's network tools: every argument is checked before anything
/// runs, and each run is bounded in count and time.</summary>
public static partial class NetToolRules
{
    public const int MaxPings = 10, DefaultPings = 4;
    public const int MaxHops = 30, DefaultHops = 20;
    /// <summary>Lines of a tool's output kept; a longer output is cut (Truncated).</summary>
    public const int MaxLines = 100;
    /// <summary>Seconds traceroute waits for each hop's answer (-w) and ping for each reply (-W).</summary>
    public const int WaitSeconds = 2;
    /// <summary>A whole traceroute is ended after this long, however many hops it has left.</summary>
    public static readonly TimeSpan TracerouteLimit = TimeSpan.FromSeconds(45);

    public static ToolPlan? CheckPing(PingRequest request, List<FieldError> errors)
    {
        int before = errors.Count;
        string? host = Host("host", request.Host, errors);
        int count = request.Count ?? DefaultPings;
        if (count is < 1 or > MaxPings) errors.Add(new("count", $"must be from 1 to {MaxPings}"));
        if (errors.Count != before) return null;
        // -w: ping ends by itself after this many seconds whatever answers; the limit is a backstop.
        int deadline = count + WaitSeconds + 1;
        return new ToolPlan("ping", host!,
            ["-n", "-c", Num(count), "-W", Num(WaitSeconds), "-w", Num(deadline), "--", host!],
            TimeSpan.FromSeconds(deadline + 5));
    }

    public static ToolPlan? CheckTraceroute(TracerouteRequest request, List<FieldError> errors)
    {
        int before = errors.Count;
        string? host = Host("host", request.Host, errors);
        int hops = request.MaxHops ?? DefaultHops;
        if (hops is < 1 or > MaxHops) errors.Add(new("maxHops", $"must be from 1 to {MaxHops}"));
        if (errors.Count != before) return null;
        // One probe per hop (-q 1): a line per hop, and a silent hop costs one wait, not three.
        var family = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? "-6" : "-4";
        return new ToolPlan("traceroute", host!,
            [family, "-n", "-q", "1", "-w", Num(WaitSeconds), "-m", Num(hops), host!], TracerouteLimit);
    }

    public static LookupPlan? CheckLookup(LookupRequest request, List<FieldError> errors)
    {
        int before = errors.Count;
        string? name = Host("name", request.Name, errors, namesOnly: true);
        IReadOnlyList<DnsType>? types = (request.Type ?? "both").ToLowerInvariant() switch
        {
            "a" => [DnsType.A],
            "aaaa" => [DnsType.Aaaa],
            "both" => [DnsType.A, DnsType.Aaaa],
            _ => null,
        };
        if (types is null) errors.Add(new("type", "must be a, aaaa or both"));
        IPAddress? server = null;
        if (!string.IsNullOrEmpty(request.Server))
        {
            if (ExactAddress(request.Server) is { } s) server = s;
            else errors.Add(new("server", $"'{Shorten(request.Server)}' is not an IPv4 or IPv6 address"));
        }
        return errors.Count == before ? new LookupPlan(name!, types!, server) : null;
    }

    /// <summary>A host name (RFC 1123 labels: letters, digits, inner hyphens; not all digits at the
    /// end, which ping would read as a short-hand address) or an IP address exactly as written.
    /// Nothing that can be read as an option (a leading '-') or that holds a space, a scope or a
    /// shell character passes; the canonical form is returned.</summary>
    public static string? Host(string field, string? text, List<FieldError> errors, bool namesOnly = false)
    {
        string what = namesOnly ? "a host name" : "a host name or an IP address";
        if (string.IsNullOrWhiteSpace(text)) { errors.Add(new(field, $"is required: {what}")); return null; }
        if (text.StartsWith('-')) { errors.Add(new(field, $"must not begin with '-': {what}")); return null; }
        if (text.Length > 253) { errors.Add(new(field, $"is too long for {what} (at most 253 characters)")); return null; }
        if (!namesOnly && ExactAddress(text) is { } ip) return ip.ToString();
        string name = text.EndsWith('.') ? text[..^1] : text;
        var labels = name.Split('.');
        if (name.Length > 0 && labels.All(l => LabelPattern().IsMatch(l)) && !labels[^1].All(char.IsAsciiDigit))
            return name.ToLowerInvariant();
        errors.Add(new(field, $"'{Shorten(text)}' is not {what}"));
        return null;
    }

    static IPAddress? ExactAddress(string text) =>
        text.Length <= 45 && !text.Contains('%') && IPAddress.TryParse(text, out var ip) &&
        (ip.AddressFamily == AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3)
            ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip)
            : null;

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelPattern();

    static string Num(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    static string Shorten(string s) => s.Length <= 48 ? s : s[..45] + "...";

    /// <summary>One sentence for a finished ping or traceroute, from its last lines (iputils' and
    /// traceroute's own wording, which is stable across their versions).</summary>
    public static string Summarize(string tool, string host, IReadOnlyList<string> lines, int? exitCode, bool timedOut)
    {
        if (timedOut) return $"The {tool} was stopped after its time ran out.";
        string all = string.Join('\n', lines);
        if (all.Contains("Name or service not known", StringComparison.Ordinal) || all.Contains("Temporary failure in name resolution", StringComparison.Ordinal)
            || all.Contains("Cannot handle \"host\"", StringComparison.Ordinal) || all.Contains("unknown host", StringComparison.OrdinalIgnoreCase))
            return $"The router could not find the address of {host}: the name is unknown or DNS does not answer.";
        if (all.Contains("Network is unreachable", StringComparison.Ordinal))
            return "The router has no route to that address: is the internet connection up?";
        if (tool == "ping")
        {
            var m = PingTotals().Match(all);
            if (!m.Success) return exitCode == 0 ? $"{host} answered." : $"ping ended without an answer (exit {exitCode}).";
            int sent = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            int got = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (got == 0) return $"{host} did not answer any of {sent} pings.";
            var rtt = PingAverage().Match(all);
            return $"{host} answered {got} of {sent} pings" + (rtt.Success ? $", {rtt.Groups[1].Value} ms on average." : ".");
        }
        int hops = lines.Count(l => HopLine().IsMatch(l));
        var last = lines.LastOrDefault(l => HopLine().IsMatch(l));
        if (last is not null && !last.TrimEnd().EndsWith('*') && IPAddress.TryParse(host, out var ip) && last.Contains($" {ip} ", StringComparison.Ordinal))
            return $"{host} was reached in {hops} {(hops == 1 ? "hop" : "hops")}.";
        if (last is not null && lines.Count > 0 && FirstLineAddress().Match(lines[0]) is { Success: true } target
            && last.Contains($" {target.Groups[1].Value} ", StringComparison.Ordinal))
            return $"{host} was reached in {hops} {(hops == 1 ? "hop" : "hops")}.";
        return hops == 0 ? $"traceroute ended without a hop (exit {exitCode})." : $"{host} was not reached within {hops} {(hops == 1 ? "hop" : "hops")}.";
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) (?:packets )?received")]
    private static partial Regex PingTotals();
    [GeneratedRegex(@"= [\d.]+/([\d.]+)/")]
    private static partial Regex PingAverage();
    [GeneratedRegex(@"^\s*\d+\s")]
    private static partial Regex HopLine();
    /// <summary>"traceroute to example.org (192.0.2.1), 20 hops max": the address it resolved.</summary>
    [GeneratedRegex(@"^traceroute to \S+ \(([^)]+)\)")]
    private static partial Regex FirstLineAddress();
}
