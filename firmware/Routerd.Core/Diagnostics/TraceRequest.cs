using System.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Diagnostics;

/// <summary>POST /api/diagnostics/trace: which packets to follow through the firewall, and for
/// how long. Only packets that open a connection (TCP, UDP or both to <see cref="Port"/>, from and to
/// the given addresses when given) are traced; what a connection sends once it is established
/// says nothing about why it was let in or not.</summary>
public sealed record TraceRequest(string? Proto, string? From, string? To, int Port, int? Seconds);

/// <summary>A checked trace request.</summary>
/// <see cref="Protocol"/>: tcp, udp or both (a port forward for both protocols is tested for both).</summary>
public sealed record TracePlan(string Protocol, IPAddress? From, IPAddress? To, int Port, int Seconds)
{
    public const string Both = "both";

    /// <summary>"TCP 8443": how people name a port.</summary>
    public string PortName => Protocol == Both ? $"TCP or UDP {Port}" : $"{Protocol.ToUpperInvariant()} {Port}";

    /// <summary>The plan as it applies to one traced packet: a plan for both protocols becomes the
    /// packet's own (IP protocol 6 or 17), so the words name what actually arrived.</summary>
    public TracePlan For(TracePacket? packet) => Protocol != Both ? this : packet?.Protocol switch
    {
        6 => this with { Protocol = "tcp" },
        17 => this with { Protocol = "udp" },
        _ => this,
    };
}

public static class TraceRules
{
    /// <summary>Long enough to walk to another device and try; short enough that a forgotten
    /// trace does not leave the firewall tracing (and a browser waiting) for long.</summary>
    public const int MaxSeconds = 30;
    public const int DefaultSeconds = 10;

    /// <summary>The plan, or null with every wrong field named in <paramref name="errors"/>.</summary>
    public static TracePlan? Check(TraceRequest request, List<FieldError> errors)
    {
        int before = errors.Count;
        string? protocol = request.Proto?.ToLowerInvariant() switch
        {
            "tcp" => "tcp",
            "udp" => "udp",
            TracePlan.Both => TracePlan.Both,
            _ => null,
        };
        if (protocol is null) errors.Add(new("proto", request.Proto is null ? "is required: tcp, udp or both" : "must be tcp, udp or both"));
        if (request.Port is < 1 or > 65535) errors.Add(new("port", $"{request.Port} is not a port (1-65535)"));
        int seconds = request.Seconds ?? DefaultSeconds;
        if (seconds is < 1 or > MaxSeconds) errors.Add(new("seconds", $"must be from 1 to {MaxSeconds}"));
        var from = Address("from", request.From, errors);
        var to = Address("to", request.To, errors);
        if (from is not null && to is not null && from.AddressFamily != to.AddressFamily)
            errors.Add(new("to", "must be of the same family (IPv4 or IPv6) as from"));
        return errors.Count == before ? new TracePlan(protocol!, from, to, request.Port, seconds) : null;
    }

    /// <summary>An address exactly as written: no host names (nothing is looked up), no scopes,
    /// and not a network ("a.b.c.d/24"); the text reaches an nft rule only as the parsed value.</summary>
    static IPAddress? Address(string field, string? text, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (text.Length <= 45 && !text.Contains('%') && IPAddress.TryParse(text, out var ip) &&
            (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3))
            return ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
        errors.Add(new(field, $"'{Shorten(text)}' is not an IPv4 or IPv6 address"));
        return null;
    }

    static string Shorten(string s) => s.Length <= 48 ? s : s[..45] + "...";
}
