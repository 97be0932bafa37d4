using System.Buffers.Binary;
using static Routerd.Platform.Pppoe.PppoeDiscovery;

namespace Routerd.Platform.Pppoe;

/// <summary>Reads one PPPoE discovery frame (Ethernet header included) from untrusted bytes. It
/// never throws and never reads past the frame: a short frame, a wrong version or a length that
/// claims more than arrived makes <see cref="TryOpen"/> false; a tag whose length runs past the
/// payload ends <see cref="TryReadTag"/> with <see cref="Malformed"/> set. Ethernet pads short
/// frames to 60 bytes, so bytes after the PPPoE length are padding and ignored.</summary>
public ref struct PppoeFrameReader
{
    ReadOnlySpan<byte> tags;

    public ReadOnlySpan<byte> Destination { get; private set; }
    public ReadOnlySpan<byte> Source { get; private set; }
    public byte Code { get; private set; }
    public ushort SessionId { get; private set; }
    /// <summary>A tag ran past the payload: the frame is not to be believed.</summary>
    public bool Malformed { get; private set; }

    public static bool TryOpen(ReadOnlySpan<byte> frame, out PppoeFrameReader reader)
    {
        reader = default;
        if (frame.Length < EthernetHeader + PppoeHeader) return false;
        if (BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EthertypeDiscovery) return false;
        var pppoe = frame[EthernetHeader..];
        if (pppoe[0] != VersionType) return false;
        int length = BinaryPrimitives.ReadUInt16BigEndian(pppoe[4..]);
        if (length > pppoe.Length - PppoeHeader) return false;
        reader = new PppoeFrameReader
        {
            Destination = frame[..6],
            Source = frame[6..12],
            Code = pppoe[1],
            SessionId = BinaryPrimitives.ReadUInt16BigEndian(pppoe[2..]),
            tags = pppoe.Slice(PppoeHeader, length),
        };
        return true;
    }

    /// <returns>false at the end of the tags (End-Of-List included) or at a malformed one.</returns>
    public bool TryReadTag(out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (tags.IsEmpty || Malformed) return false;
        if (tags.Length < 4)
        {
            Malformed = true;
            return false;
        }
        type = BinaryPrimitives.ReadUInt16BigEndian(tags);
        int length = BinaryPrimitives.ReadUInt16BigEndian(tags[2..]);
        if (length > tags.Length - 4)
        {
            Malformed = true;
            return false;
        }
        value = tags.Slice(4, length);
        tags = tags[(4 + length)..];
        if (type == TagEndOfList)
        {
            tags = default;
            return false;
        }
        return true;
    }
}
