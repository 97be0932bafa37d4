using System.Runtime.InteropServices;
using static Routerd.Platform.Netlink.NetlinkInterop;

namespace Routerd.Platform.Netlink;

/// <summary>Walks the nlmsghdr-framed messages of one received datagram.</summary>
/// <remarks>A header whose length is shorter than a header or runs past the buffer ends the walk
/// (<see cref="Malformed"/> turns true): once one length lies, nothing after it can be framed.</remarks>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _rest;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram) => _rest = datagram;

    public bool Malformed { get; private set; }

    /// <param name="payload">The bytes after the header up to nlmsg_len, alignment padding excluded.</param>
    public bool TryRead(out nlmsghdr header, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        if (MemoryMarshal.TryRead(_rest, out header) && NetlinkFraming.TryCut(ref _rest, NLMSG_HDRLEN, header.nlmsg_len, out payload))
            return true;
        Malformed = !_rest.IsEmpty;
        _rest = default;
        return false;
    }
}
