using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Tmds.Linux;

#pragma warning disable CS8981, IDE1006 // the kernel's names, checkable against linux/if_packet.h

namespace Routerd.Platform.Pppoe;

/// <summary>struct sockaddr_ll (linux/if_packet.h); Tmds.LibC has AF_PACKET but not this.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct sockaddr_ll
{
    public ushort sll_family;
    /// <summary>Network byte order.</summary>
    public ushort sll_protocol;
    public int sll_ifindex;
    public ushort sll_hatype;
    public byte sll_pkttype;
    public byte sll_halen;
    public fixed byte sll_addr[8];
}

/// <summary>An AF_PACKET/SOCK_RAW socket bound to one interface and one Ethernet type: whole
/// frames out and in. Needs CAP_NET_RAW. Joins the network namespace of the calling thread.</summary>
internal sealed unsafe class PacketSocket : IDisposable
{
    readonly SafeFd fd;

    PacketSocket(SafeFd fd) => this.fd = fd;

    public static PacketSocket Open(int ifindex, ushort ethertype)
    {
        ushort protocol = BinaryPrimitives.ReverseEndianness(ethertype); // htons on a little-endian host
        if (!BitConverter.IsLittleEndian) protocol = ethertype;
        int raw = LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (raw < 0) throw Error("socket(AF_PACKET)");
        var handle = new SafeFd(raw);
        var address = new sockaddr_ll { sll_family = (ushort)LibC.AF_PACKET, sll_protocol = protocol, sll_ifindex = ifindex };
        if (LibC.bind(raw, (sockaddr*)&address, sizeof(sockaddr_ll)) != 0)
        {
            var e = Error("bind");
            handle.Dispose();
            throw e;
        }
        return new PacketSocket(handle);
    }

    public void Send(ReadOnlySpan<byte> frame)
    {
        bool added = false;
        fd.DangerousAddRef(ref added);
        try
        {
            fixed (byte* data = frame)
                while (LibC.send((int)fd.DangerousGetHandle(), data, (size_t)frame.Length, 0) < 0)
                    if (LibC.errno != LibC.EINTR) throw Error("send");
        }
        finally { if (added) fd.DangerousRelease(); }
    }

    /// <returns>the length of the frame read, 0 when none came within <paramref name="timeoutMilliseconds"/>.</returns>
    public int Receive(Span<byte> buffer, int timeoutMilliseconds)
    {
        bool added = false;
        fd.DangerousAddRef(ref added);
        try
        {
            int f = (int)fd.DangerousGetHandle();
            var poll = new pollfd { fd = f, events = LibC.POLLIN };
            int ready = LibC.poll(&poll, 1, Math.Max(0, timeoutMilliseconds));
            if (ready < 0 && LibC.errno != LibC.EINTR) throw Error("poll");
            if (ready <= 0) return 0;
            fixed (byte* data = buffer)
            {
                long n = LibC.recv(f, data, (size_t)buffer.Length, LibC.MSG_DONTWAIT | LibC.MSG_TRUNC);
                if (n < 0) return LibC.errno is var e && (e == LibC.EAGAIN || e == LibC.EINTR) ? 0 : throw Error("recv");
                // A frame longer than the buffer was cut: its tail is unknown, so it is dropped.
                return n > buffer.Length ? 0 : (int)n;
            }
        }
        finally { if (added) fd.DangerousRelease(); }
    }

    public void Dispose() => fd.Dispose();

    static IOException Error(string call)
    {
        int errno = LibC.errno;
        return new IOException($"{call}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    sealed class SafeFd : SafeHandle
    {
        public SafeFd(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);
        public override bool IsInvalid => handle == -1;
        protected override bool ReleaseHandle() => LibC.close((int)handle) == 0;
    }
}
