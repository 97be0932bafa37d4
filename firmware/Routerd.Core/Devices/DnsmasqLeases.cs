using System.Globalization;
using Routerd.Core.Net;

namespace Routerd.Core.Devices;

public sealed record DhcpLease(DateTimeOffset? Expires, MacAddress Mac, string Address, string? Hostname);

/// <summary>Parses dnsmasq's lease file ("expiry mac ip hostname client-id" per line; expiry 0
/// means infinite). Lines that don't parse are skipped: the file is written by another
/// process and may be read mid-rewrite.</summary>
public static class DnsmasqLeases
{
    static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public static IReadOnlyList<DhcpLease> Parse(string text)
    {
        var leases = new List<DhcpLease>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(' ');
            // IPv6 leases follow a "duid" line and carry an IAID instead of a MAC; v4 only for now.
            // An expiry past year 9999 is no time at all (a damaged line): skipped, not thrown (found by fuzzing).
            if (f.Length < 4 || !long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out long expiry) || expiry > MaxUnixSeconds) continue;
            if (!MacAddress.TryParse(f[1], out var mac) || !Ipv4Network.TryParseAddress(f[2], out _)) continue;
            string? host = f[3] == "*" ? null : f[3];
            leases.Add(new DhcpLease(expiry == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(expiry), mac, f[2], host));
        }
        return leases;
    }
}
