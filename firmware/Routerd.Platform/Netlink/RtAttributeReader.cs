using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using static Routerd.Platform.Netlink.NetlinkInterop;

namespace Routerd.Platform.Netlink;

/// <summary>Walks the rtattr list that follows a fixed rtnetlink header (or fills a nested attribute).</summary>
/// <remarks>Same rule as the message reader: a length that cannot be true ends the walk, since
/// the next attribute's position depends on it.</remarks>
internal ref struct RtAttributeReader
{
    private ReadOnlySpan<byte> _rest;

    public RtAttributeReader(ReadOnlySpan<byte> attributes) => _rest = attributes;

    public bool Malformed { get; private set; }

    /// <param name="type">The attribute type with the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits cleared.</param>
    public bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        value = default;
        type = 0;
        if (MemoryMarshal.TryRead(_rest, out rtattr attribute) && NetlinkFraming.TryCut(ref _rest, RTA_HDRLEN, attribute.rta_len, out value))
        {
            type = (ushort)(attribute.rta_type & NLA_TYPE_MASK);
            return true;
        }
        Malformed = !_rest.IsEmpty;
        _rest = default;
        return false;
    }

    // Value helpers: a value of the wrong size is treated as absent rather than guessed at.

    public static bool TryReadUInt32(ReadOnlySpan<byte> value, out uint result)
    {
        result = 0;
        if (value.Length != 4) return false;
        result = MemoryMarshal.Read<uint>(value); // netlink integers are in host byte order
        return true;
    }

    public static bool TryReadInt32(ReadOnlySpan<byte> value, out int result)
    {
        bool ok = TryReadUInt32(value, out uint raw);
        result = (int)raw;
        return ok;
    }

    /// <summary>Addresses (IFA_LOCAL, RTA_GATEWAY, NDA_DST) are in network byte order.</summary>
    public static uint ReadIpv4(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadUInt32BigEndian(value);

    /// <summary>NUL-terminated in the kernel's messages, but the terminator is not trusted to be there.</summary>
    public static string ReadString(ReadOnlySpan<byte> value)
    {
        int end = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
    }
}
