using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Routerd.Bench;

/// <summary>Packet counters of the tc classes on one device inside a lab namespace, read over
/// rtnetlink. One read costs tens of microseconds where a `tc -s class show` process costs
/// milliseconds, so a loop of reads can tell within a packet interval when a flow changes class.
/// The socket is opened inside the namespace (<see cref="NetnsThread"/>); the benchmark process itself never leaves its own.</summary>
sealed unsafe partial class TcClassCounters : IDisposable
{
    const int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, NETLINK_ROUTE = 0;
    const ushort RTM_NEWTCLASS = 40, RTM_GETTCLASS = 42;
    const ushort NLM_F_REQUEST = 0x1, NLM_F_DUMP = 0x300;
    const ushort NLMSG_ERROR = 2, NLMSG_DONE = 3;
    const int NlmsgHeader = 16, TcmsgLength = 20;
    /// <summary>struct tc_stats: u64 bytes, u32 packets, ... (the kernel fills it for classes too).</summary>
    const ushort TCA_STATS = 3;

    [LibraryImport("libc", SetLastError = true)] private static partial int socket(int domain, int type, int protocol);
    [LibraryImport("libc", SetLastError = true)] private static partial nint send(int fd, byte* buf, nint len, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial nint recv(int fd, byte* buf, nint len, int flags);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] private static partial uint if_nametoindex(string name);
    [LibraryImport("libc")] private static partial int close(int fd);

    readonly int fd;
    readonly uint ifindex;
    readonly byte[] buffer = new byte[64 * 1024];
    uint seq;

    TcClassCounters(int fd, uint ifindex) => (this.fd, this.ifindex) = (fd, ifindex);

    public static TcClassCounters Open(string netns, string device)
    {
        var (socketFd, index) = NetnsThread.Run(netns, () =>
        {
            int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
            if (s < 0) throw new IOException($"netlink socket: errno {Marshal.GetLastPInvokeError()}");
            uint i = if_nametoindex(device);
            if (i == 0)
            {
                close(s);
                throw new IOException($"no device {device} in {netns}");
            }
            return (s, i);
        }, "tc counters").GetAwaiter().GetResult();
        return new TcClassCounters(socketFd, index);
    }

    /// <summary>Packets sent so far by each class, by class id ("1:6").</summary>
    public Dictionary<string, long> Packets()
    {
        var result = new Dictionary<string, long>();
        Span<byte> request = stackalloc byte[NlmsgHeader + TcmsgLength];
        request.Clear();
        uint mySeq = ++seq;
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request[4..], RTM_GETTCLASS);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], NLM_F_REQUEST | NLM_F_DUMP);
        BinaryPrimitives.WriteUInt32LittleEndian(request[8..], mySeq);
        BinaryPrimitives.WriteInt32LittleEndian(request[(NlmsgHeader + 4)..], (int)ifindex);
        fixed (byte* p = request)
            if (send(fd, p, request.Length, 0) < 0) throw new IOException($"netlink send: errno {Marshal.GetLastPInvokeError()}");
        while (true)
        {
            nint n;
            fixed (byte* p = buffer) n = recv(fd, p, buffer.Length, 0);
            if (n < 0) throw new IOException($"netlink recv: errno {Marshal.GetLastPInvokeError()}");
            var data = buffer.AsSpan(0, (int)n);
            while (data.Length >= NlmsgHeader)
            {
                int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
                uint s = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
                if (len < NlmsgHeader || len > data.Length) throw new InvalidDataException("netlink: malformed reply");
                var payload = data[NlmsgHeader..len];
                if (s == mySeq)
                {
                    if (type == NLMSG_DONE) return result;
                    if (type == NLMSG_ERROR)
                    {
                        int errno = BinaryPrimitives.ReadInt32LittleEndian(payload);
                        if (errno == 0) return result;
                        throw new IOException($"netlink class dump: errno {-errno}");
                    }
                    if (type == RTM_NEWTCLASS) Read(payload, result);
                }
                data = data[Math.Min(data.Length, (len + 3) & ~3)..];
            }
        }
    }

    static void Read(ReadOnlySpan<byte> tcmsg, Dictionary<string, long> into)
    {
        uint handle = BinaryPrimitives.ReadUInt32LittleEndian(tcmsg[8..]);
        var attrs = tcmsg[TcmsgLength..];
        while (attrs.Length >= 4)
        {
            int len = BinaryPrimitives.ReadUInt16LittleEndian(attrs);
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(attrs[2..]);
            if (len < 4 || len > attrs.Length) break;
            if ((type & 0x3fff) == TCA_STATS && len >= 4 + 12)
                into[$"{handle >> 16:x}:{handle & 0xffff:x}"] = BinaryPrimitives.ReadUInt32LittleEndian(attrs[12..]);
            attrs = attrs[Math.Min(attrs.Length, (len + 3) & ~3)..];
        }
    }

    public void Dispose() => close(fd);
}
