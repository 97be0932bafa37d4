namespace Routerd.Core.Wan;

/// <summary>What the DHCP client hook reports (the environment udhcpc gives its script).
/// Everything here came from the network: routerd parses it strictly. Lease is the lease
/// time in seconds; ReceivedAt is stamped by routerd when the report arrives.</summary>
public sealed record DhcpHookReport(string Event, string Interface, string? Ip, string? Subnet, string? Router, string? Dns,
    string? Lease = null, DateTimeOffset? ReceivedAt = null)
{
    /// <summary>When the lease runs out (null: not known, treated as already over).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DateTimeOffset? Expires =>
        ReceivedAt is { } at && int.TryParse(Lease, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int s)
            ? at.AddSeconds(s) : null;
}
