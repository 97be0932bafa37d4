using System.Buffers.Binary;
using System.Text;
using static Routerd.Platform.Pppoe.PppoeDiscovery;

namespace Routerd.Platform.Pppoe;

/// <summary>Builds discovery frames: a PADI (broadcast) asking for a service.</summary>
public static class PppoeFrameWriter
{
    static readonly byte[] Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    /// <summary>A PADI from <paramref name="source"/> with a Service-Name tag (empty: any service)
    /// and a Host-Uniq tag, which access concentrators copy into their PADO, so our answers are
    /// told apart from those to pppd's own discovery on the same port.</summary>
    /// <returns>the frame's length in <paramref name="frame"/>.</returns>
    public static int Padi(Span<byte> frame, ReadOnlySpan<byte> source, string? serviceName, ReadOnlySpan<byte> hostUniq)
    {
        int service = serviceName is null ? 0 : Encoding.UTF8.GetByteCount(serviceName);
        int payload = 4 + service + 4 + hostUniq.Length;
        if (payload > MaxPadiPayload) throw new ArgumentException("the PADI's tags do not fit in one frame");
        int length = EthernetHeader + PppoeHeader + payload;
        if (frame.Length < length) throw new ArgumentException("the buffer is too small for the PADI", nameof(frame));
        Broadcast.CopyTo(frame);
        source[..6].CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EthertypeDiscovery);
        var p = frame[EthernetHeader..];
        p[0] = VersionType;
        p[1] = PppoeDiscovery.Padi;
        BinaryPrimitives.WriteUInt16BigEndian(p[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(p[4..], (ushort)payload);
        var t = p[PppoeHeader..];
        BinaryPrimitives.WriteUInt16BigEndian(t, TagServiceName);
        BinaryPrimitives.WriteUInt16BigEndian(t[2..], (ushort)service);
        if (serviceName is not null) Encoding.UTF8.GetBytes(serviceName, t[4..]);
        t = t[(4 + service)..];
        BinaryPrimitives.WriteUInt16BigEndian(t, TagHostUniq);
        BinaryPrimitives.WriteUInt16BigEndian(t[2..], (ushort)hostUniq.Length);
        hostUniq.CopyTo(t[4..]);
        return length;
    }
}
