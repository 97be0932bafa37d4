using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static Routerd.Platform.Netlink.NetlinkInterop;

namespace Routerd.Platform.Netlink;

/// <summary>Builds one netlink request in a caller's buffer: header, fixed body, then Finish
/// patches nlmsg_len. nlmsg_pid stays 0: the kernel knows who sent it.</summary>
internal ref struct NetlinkRequestWriter
{
    private readonly Span<byte> _buffer;
    private int _length;

    public NetlinkRequestWriter(Span<byte> buffer, ushort type, ushort flags, uint seq)
    {
        _buffer = buffer;
        var header = new nlmsghdr { nlmsg_type = type, nlmsg_flags = flags, nlmsg_seq = seq };
        Append(in header);
    }

    public void Append<T>(in T value) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        int aligned = NLMSG_ALIGN(size);
        if (_length + aligned > _buffer.Length)
            throw new ArgumentException($"request buffer of {_buffer.Length} bytes is too small", nameof(value));
        MemoryMarshal.Write(_buffer[_length..], in value);
        _buffer.Slice(_length + size, aligned - size).Clear();
        _length += aligned;
    }

    /// <returns>The length of the finished message.</returns>
    public int Finish()
    {
        MemoryMarshal.Write(_buffer, (uint)_length);
        return _length;
    }
}
