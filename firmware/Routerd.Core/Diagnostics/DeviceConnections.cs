using System.Net;

namespace Routerd.Core.Diagnostics;

/// <summary>One direction of a conntrack entry: addresses and ports as the packets carry them.</summary>
public sealed record ConntrackTuple(IPAddress Source, IPAddress Destination, int? SourcePort, int? DestinationPort);

/// <summary>One connection the kernel tracks (a ctnetlink dump entry). <see cref="Original"/> is
/// the direction of the packet that opened it, <see cref="Reply"/> what the answers carry: after
/// NAT they differ (a port forward: sent to the WAN address, answered by the device).</summary>
public sealed record ConntrackEntry(byte Protocol, ConntrackTuple Original, ConntrackTuple Reply, uint Status, byte? TcpState, uint? TimeoutSeconds,
    ulong? Bytes = null, ulong? Packets = null)
{
    // enum ip_conntrack_status (include/uapi/linux/netfilter/nf_conntrack_common.h)
    public const uint SeenReply = 1 << 1, Assured = 1 << 2, SourceNat = 1 << 4, DestinationNat = 1 << 5;

    /// <summary>The kernel's id of the entry (stable for its life; ids are reused only after it is gone).</summary>
    public uint? Id { get; init; }
    /// <summary>The connection's mark (`ct mark`).</summary>
    public uint Mark { get; init; }
    /// <summary>Bytes in each direction (with conntrack accounting on): what the opener sent, what it got back.</summary>
    public ulong? OriginalBytes { get; init; }
    public ulong? ReplyBytes { get; init; }
    public ulong? OriginalPackets { get; init; }
    public ulong? ReplyPackets { get; init; }
}

/// <summary>Reads the kernel's connection table (the netlink adapter).</summary>
public interface IConntrackReader
{
    /// <summary>The entries <paramref name="keep"/> accepts: the rest are never held (the table can have tens of thousands).</summary>
    IReadOnlyList<ConntrackEntry> Dump(Func<ConntrackEntry, bool> keep);

    /// <summary>Each entry in turn, none held after its call (the traffic meter reads the whole
    /// table every few seconds).</summary>
    void Walk(Action<ConntrackEntry> visit)
    {
        foreach (var e in Dump(_ => true)) visit(e);
    }
}

/// <summary>A connection as GET /api/devices/{mac}/connections shows it, from the device's side:
/// "out" (the device opened it), "in" (it came to the device, e.g. through a port forward, whose
/// WAN port is <see cref="ForwardedPort"/>).</summary>
public sealed record ConnectionView(string Protocol, string Direction, string DeviceAddress, int? DevicePort, string RemoteAddress, int? RemotePort,
    string? State, bool Replied, int? SecondsLeft, int? ForwardedPort, long? Bytes);

public sealed record DeviceConnectionsView(string Mac, int Total, bool Truncated, IReadOnlyList<ConnectionView> Connections);

public static class DeviceConnections
{
    /// <summary>A page of a home router's UI lists what a person can read; the kernel may track
    /// tens of thousands (one busy device alone thousands): the rest is counted, not sent.</summary>
    public const int MaxEntries = 1000;

    /// <summary>The device's connections (those from or to one of its <paramref name="addresses"/>), at most <paramref name="max"/>.</summary>
    public static DeviceConnectionsView Read(string mac, IConntrackReader conntrack, IReadOnlyCollection<IPAddress> addresses, int max = MaxEntries) =>
        addresses.Count == 0 ? new DeviceConnectionsView(mac, 0, false, []) : For(mac, conntrack.Dump(e => View(e, addresses) is not null), addresses, max);

    public static DeviceConnectionsView For(string mac, IReadOnlyList<ConntrackEntry> entries, IReadOnlyCollection<IPAddress> addresses, int max = MaxEntries)
    {
        var list = new List<ConnectionView>();
        int total = 0;
        foreach (var e in entries)
        {
            if (View(e, addresses) is not { } v) continue;
            total++;
            if (list.Count < max) list.Add(v);
        }
        return new DeviceConnectionsView(mac, total, total > list.Count, list);
    }

    /// <summary>The entry from the device's side, or null when it is not the device's.</summary>
    public static ConnectionView? View(ConntrackEntry e, IReadOnlyCollection<IPAddress> addresses)
    {
        string? state = e.Protocol == 6 && e.TcpState is { } s ? TcpState(s) : null;
        bool replied = (e.Status & ConntrackEntry.SeenReply) != 0;
        int? left = e.TimeoutSeconds is { } t ? (int)Math.Min(t, int.MaxValue) : null;
        long? bytes = e.Bytes is { } b ? (long)Math.Min(b, long.MaxValue) : null;
        string protocol = Protocol(e.Protocol);
        if (addresses.Contains(e.Original.Source))
            return new(protocol, "out", e.Original.Source.ToString(), e.Original.SourcePort, e.Original.Destination.ToString(), e.Original.DestinationPort,
                state, replied, left, null, bytes);
        // Sent to the device: the answer comes from it, whatever address the sender used (a port forward's is the WAN's).
        if (addresses.Contains(e.Reply.Source))
            return new(protocol, "in", e.Reply.Source.ToString(), e.Reply.SourcePort, e.Original.Source.ToString(), e.Original.SourcePort,
                state, replied, left, (e.Status & ConntrackEntry.DestinationNat) != 0 ? e.Original.DestinationPort : null, bytes);
        return null;
    }

    /// <summary>enum tcp_conntrack (include/uapi/linux/netfilter/nf_conntrack_tcp.h), in the words `conntrack -L` uses.</summary>
    public static string TcpState(byte s) => s switch
    {
        0 => "none",
        1 => "syn-sent",
        2 => "syn-received",
        3 => "established",
        4 => "fin-wait",
        5 => "close-wait",
        6 => "last-ack",
        7 => "time-wait",
        8 => "close",
        9 => "syn-sent2",
        _ => $"state {s}",
    };

    public static string Protocol(byte p) => p switch
    {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        58 => "icmpv6",
        132 => "sctp",
        _ => $"protocol {p}",
    };
}
