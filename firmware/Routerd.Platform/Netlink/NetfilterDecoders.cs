using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Runtime.InteropServices;
using Routerd.Core.Diagnostics;
using static Routerd.Platform.Netlink.NetfilterInterop;
using static Routerd.Platform.Netlink.NetlinkInterop;

namespace Routerd.Platform.Netlink;

/// <summary>Turns nfnetlink payloads (the bytes after nlmsghdr: an nfgenmsg, then attributes) into
/// records: nf_tables trace events and conntrack entries. Integers in these attributes are
/// big-endian. Like RtnlDecoders, each returns false for a message it cannot make a whole record
/// of and never throws on input.</summary>
internal static class NetfilterDecoders
{
    const int NfgenmsgLength = 4;

    /// <summary>An NFT_MSG_TRACE payload.</summary>
    public static bool TryDecodeTrace(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out TraceEvent? trace)
    {
        trace = null;
        if (payload.Length < NfgenmsgLength) return false;
        string? table = null, chain = null, target = null;
        ulong? handle = null;
        uint? id = null, type = null, policy = null;
        int? verdict = null, iif = null, oif = null;
        ReadOnlySpan<byte> network = default, transport = default;
        var reader = new RtAttributeReader(payload[NfgenmsgLength..]);
        while (reader.TryRead(out ushort t, out var value))
        {
            switch (t)
            {
                case NFTA_TRACE_TABLE: table = RtAttributeReader.ReadString(value); break;
                case NFTA_TRACE_CHAIN: chain = RtAttributeReader.ReadString(value); break;
                case NFTA_TRACE_RULE_HANDLE when value.Length == 8: handle = BinaryPrimitives.ReadUInt64BigEndian(value); break;
                case NFTA_TRACE_TYPE when value.Length == 4: type = BinaryPrimitives.ReadUInt32BigEndian(value); break;
                case NFTA_TRACE_ID when value.Length == 4: id = BinaryPrimitives.ReadUInt32BigEndian(value); break;
                case NFTA_TRACE_POLICY when value.Length == 4: policy = BinaryPrimitives.ReadUInt32BigEndian(value); break;
                case NFTA_TRACE_IIF when value.Length == 4: iif = BinaryPrimitives.ReadInt32BigEndian(value); break;
                case NFTA_TRACE_OIF when value.Length == 4: oif = BinaryPrimitives.ReadInt32BigEndian(value); break;
                case NFTA_TRACE_NETWORK_HEADER: network = value; break;
                case NFTA_TRACE_TRANSPORT_HEADER: transport = value; break;
                case NFTA_TRACE_VERDICT: (verdict, target) = ReadVerdict(value); break;
            }
        }
        if (table is null || chain is null || id is null || type is null) return false;
        var kind = type is >= 1 and <= 3 ? (TraceType)type.Value : TraceType.Unspecified;
        // A policy event carries the base chain's policy (NF_DROP or NF_ACCEPT) instead of a verdict.
        var code = kind == TraceType.Policy ? (int?)policy : verdict;
        trace = new TraceEvent(id.Value, table, chain, kind, kind == TraceType.Rule ? handle : null, Verdict(code), target,
            ReadPacket(network, transport), iif, oif);
        return true;
    }

    static (int? Code, string? Chain) ReadVerdict(ReadOnlySpan<byte> nested)
    {
        int? code = null;
        string? chain = null;
        var reader = new RtAttributeReader(nested);
        while (reader.TryRead(out ushort t, out var value))
        {
            if (t == NFTA_VERDICT_CODE && value.Length == 4) code = BinaryPrimitives.ReadInt32BigEndian(value);
            else if (t == NFTA_VERDICT_CHAIN) chain = RtAttributeReader.ReadString(value);
        }
        return (code, chain);
    }

    /// <summary>The kernel's verdict code by name. Positive codes carry a queue number above the
    /// low byte (NF_QUEUE_NR); nf_tables' own are negative.</summary>
    public static TraceVerdict Verdict(int? code) => code switch
    {
        null => TraceVerdict.Unknown,
        NFT_CONTINUE => TraceVerdict.Continue,
        NFT_BREAK => TraceVerdict.Break,
        NFT_JUMP => TraceVerdict.Jump,
        NFT_GOTO => TraceVerdict.Goto,
        NFT_RETURN => TraceVerdict.Return,
        < 0 => TraceVerdict.Unknown,
        { } c => (c & NF_VERDICT_MASK) switch
        {
            NF_DROP => TraceVerdict.Drop,
            NF_ACCEPT => TraceVerdict.Accept,
            NF_STOLEN => TraceVerdict.Stolen,
            NF_QUEUE => TraceVerdict.Queue,
            NF_REPEAT => TraceVerdict.Repeat,
            NF_STOP => TraceVerdict.Stop,
            _ => TraceVerdict.Unknown,
        },
    };

    /// <summary>Addresses from the IP header, ports from the first four bytes of a TCP or UDP header.</summary>
    static TracePacket? ReadPacket(ReadOnlySpan<byte> network, ReadOnlySpan<byte> transport)
    {
        if (network.IsEmpty) return null;
        IPAddress source, destination;
        byte protocol;
        switch (network[0] >> 4)
        {
            case 4 when network.Length >= 20:
                protocol = network[9];
                source = new IPAddress(network.Slice(12, 4));
                destination = new IPAddress(network.Slice(16, 4));
                break;
            case 6 when network.Length >= 40:
                protocol = network[6]; // the next header; extension headers are not followed
                source = new IPAddress(network.Slice(8, 16));
                destination = new IPAddress(network.Slice(24, 16));
                break;
            default:
                return null;
        }
        bool ports = protocol is 6 or 17 && transport.Length >= 4;
        return new TracePacket(source, destination, protocol,
            ports ? BinaryPrimitives.ReadUInt16BigEndian(transport) : null,
            ports ? BinaryPrimitives.ReadUInt16BigEndian(transport[2..]) : null);
    }

    /// <summary>An IPCTNL_MSG_CT_NEW payload (what a dump answers with).</summary>
    public static bool TryDecodeConntrack(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out ConntrackEntry? entry)
    {
        entry = null;
        if (!MemoryMarshal.TryRead(payload, out nfgenmsg header)) return false;
        int size = header.nfgen_family switch { AF_INET => 4, AF_INET6 => 16, _ => 0 };
        if (size == 0) return false;
        (ConntrackTuple Tuple, byte Protocol)? original = null, reply = null;
        uint status = 0;
        byte? tcpState = null;
        uint? timeout = null;
        ulong? bytes = null, packets = null;
        (ulong? Packets, ulong? Bytes) forth = default, back = default;
        uint? id = null;
        uint mark = 0;
        var reader = new RtAttributeReader(payload[NfgenmsgLength..]);
        while (reader.TryRead(out ushort t, out var value))
        {
            switch (t)
            {
                case CTA_TUPLE_ORIG: original = ReadTuple(value, size); break;
                case CTA_TUPLE_REPLY: reply = ReadTuple(value, size); break;
                case CTA_STATUS when value.Length == 4: status = BinaryPrimitives.ReadUInt32BigEndian(value); break;
                case CTA_TIMEOUT when value.Length == 4: timeout = BinaryPrimitives.ReadUInt32BigEndian(value); break;
                case CTA_PROTOINFO: tcpState = ReadTcpState(value); break;
                case CTA_MARK when value.Length == 4: mark = BinaryPrimitives.ReadUInt32BigEndian(value); break;
                case CTA_ID when value.Length == 4: id = BinaryPrimitives.ReadUInt32BigEndian(value); break;
                case CTA_COUNTERS_ORIG or CTA_COUNTERS_REPLY:
                    var (p, b) = ReadCounters(value);
                    if (t == CTA_COUNTERS_ORIG) forth = (p, b); else back = (p, b);
                    if (p is { } pv) packets = (packets ?? 0) + pv;
                    if (b is { } bv) bytes = (bytes ?? 0) + bv;
                    break;
            }
        }
        if (original is not { } o || reply is not { } r) return false;
        entry = new ConntrackEntry(o.Protocol, o.Tuple, r.Tuple, status, tcpState, timeout, bytes, packets)
        {
            Id = id, Mark = mark,
            OriginalBytes = forth.Bytes, OriginalPackets = forth.Packets, ReplyBytes = back.Bytes, ReplyPackets = back.Packets,
        };
        return true;
    }

    static (ConntrackTuple, byte)? ReadTuple(ReadOnlySpan<byte> nested, int size)
    {
        IPAddress? source = null, destination = null;
        byte? protocol = null;
        int? sourcePort = null, destinationPort = null;
        var reader = new RtAttributeReader(nested);
        while (reader.TryRead(out ushort t, out var value))
        {
            if (t == CTA_TUPLE_IP)
            {
                var ip = new RtAttributeReader(value);
                while (ip.TryRead(out ushort a, out var address))
                {
                    if (address.Length != size) continue;
                    if (a is CTA_IP_V4_SRC or CTA_IP_V6_SRC) source = new IPAddress(address);
                    else if (a is CTA_IP_V4_DST or CTA_IP_V6_DST) destination = new IPAddress(address);
                }
            }
            else if (t == CTA_TUPLE_PROTO)
            {
                var proto = new RtAttributeReader(value);
                while (proto.TryRead(out ushort a, out var v))
                {
                    if (a == CTA_PROTO_NUM && v.Length == 1) protocol = v[0];
                    else if (a == CTA_PROTO_SRC_PORT && v.Length == 2) sourcePort = BinaryPrimitives.ReadUInt16BigEndian(v);
                    else if (a == CTA_PROTO_DST_PORT && v.Length == 2) destinationPort = BinaryPrimitives.ReadUInt16BigEndian(v);
                }
            }
        }
        if (source is null || destination is null || protocol is null) return null;
        return (new ConntrackTuple(source, destination, sourcePort, destinationPort), protocol.Value);
    }

    static byte? ReadTcpState(ReadOnlySpan<byte> nested)
    {
        var reader = new RtAttributeReader(nested);
        while (reader.TryRead(out ushort t, out var value))
        {
            if (t != CTA_PROTOINFO_TCP) continue;
            var tcp = new RtAttributeReader(value);
            while (tcp.TryRead(out ushort a, out var v))
                if (a == CTA_PROTOINFO_TCP_STATE && v.Length == 1) return v[0];
        }
        return null;
    }

    static (ulong? Packets, ulong? Bytes) ReadCounters(ReadOnlySpan<byte> nested)
    {
        ulong? packets = null, bytes = null;
        var reader = new RtAttributeReader(nested);
        while (reader.TryRead(out ushort t, out var value))
        {
            if (t == CTA_COUNTERS_PACKETS && value.Length == 8) packets = BinaryPrimitives.ReadUInt64BigEndian(value);
            else if (t == CTA_COUNTERS_BYTES && value.Length == 8) bytes = BinaryPrimitives.ReadUInt64BigEndian(value);
        }
        return (packets, bytes);
    }
}
