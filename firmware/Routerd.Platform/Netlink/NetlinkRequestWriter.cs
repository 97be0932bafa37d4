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

    /// <summary>An attribute holding a NUL-terminated string (names of tables, devices).</summary>
    public void AppendString(ushort type, string value)
    {
        int length = RTA_HDRLEN + System.Text.Encoding.UTF8.GetByteCount(value) + 1;
        if (_length + RTA_ALIGN(length) > _buffer.Length)
            throw new ArgumentException($"request buffer of {_buffer.Length} bytes is too small", nameof(value));
        var attribute = _buffer.Slice(_length, RTA_ALIGN(length));
        attribute.Clear();
        MemoryMarshal.Write(attribute, new rtattr { rta_len = (ushort)length, rta_type = type });
        System.Text.Encoding.UTF8.GetBytes(value, attribute[RTA_HDRLEN..]);
        _length += RTA_ALIGN(length);
    }

    /// <summary>An attribute holding raw bytes (an address, a struct).</summary>
    public void AppendAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        int length = RTA_HDRLEN + value.Length;
        if (_length + RTA_ALIGN(length) > _buffer.Length)
            throw new ArgumentException($"request buffer of {_buffer.Length} bytes is too small", nameof(value));
        var attribute = _buffer.Slice(_length, RTA_ALIGN(length));
        attribute.Clear();
        MemoryMarshal.Write(attribute, new rtattr { rta_len = (ushort)length, rta_type = type });
        value.CopyTo(attribute[RTA_HDRLEN..]);
        _length += RTA_ALIGN(length);
    }

    /// <summary>An integer attribute in host byte order (netlink's own integers).</summary>
    public void AppendUInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        MemoryMarshal.Write(bytes, in value);
        AppendAttribute(type, bytes);
    }

    public void AppendUInt16(ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        MemoryMarshal.Write(bytes, in value);
        AppendAttribute(type, bytes);
    }

    /// <summary>Opens a nested attribute; <see cref="EndNested"/> with the returned offset closes it.</summary>
    public int BeginNested(ushort type)
    {
        int start = _length;
        AppendAttribute(type, []);
        return start;
    }

    /// <summary>Patches the nested attribute's length to cover everything appended since it was opened.</summary>
    public void EndNested(int start) => MemoryMarshal.Write(_buffer[start..], (ushort)(_length - start));

    /// <returns>The length of the finished message.</returns>
    public int Finish()
    {
        MemoryMarshal.Write(_buffer, (uint)_length);
        return _length;
    }
}
