using System.Runtime.InteropServices;
using Tmds.Linux;
using static Routerd.Platform.Netlink.NetlinkInterop;

namespace Routerd.Platform.Netlink;

internal delegate int NetlinkRequest(Span<byte> buffer, uint seq);
internal delegate void NetlinkMessageHandler(ushort type, ReadOnlySpan<byte> payload);

/// <summary>An AF_NETLINK/NETLINK_ROUTE socket: dumps on demand, or multicast notifications
/// when opened with groups.</summary>
/// <remarks>The socket joins the network namespace of the thread that opens it, which is why
/// callers open sockets on their own thread before handing them to a worker.</remarks>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    // The kernel sizes dump datagrams to the reader's buffer up to 32 KiB, and a link message
    // with many VFs can be larger still; 64 KiB leaves room for both.
    public const int ReceiveBufferSize = 64 * 1024;

    // A busy neighbour table can announce hundreds of changes at once; the default socket
    // buffer overflows (ENOBUFS) sooner than needed. The kernel caps this at net.core.rmem_max.
    private const int MulticastSocketBufferSize = 1024 * 1024;

    private const int DumpTimeoutMilliseconds = 5000;

    private readonly NetlinkSocketHandle _handle;
    private byte[]? _dumpBuffer;
    private uint _seq = (uint)Environment.TickCount;

    private NetlinkSocket(NetlinkSocketHandle handle, uint portId)
    {
        _handle = handle;
        PortId = portId;
    }

    /// <summary>The port id the kernel gave this socket; replies to our requests carry it.</summary>
    public uint PortId { get; }

    /// <param name="groups">RTMGRP_* bits to receive notifications for; 0 for a dump-only socket.</param>
    /// <param name="protocol">NETLINK_ROUTE (links, addresses, queues) or NETLINK_NETFILTER (nf_tables).</param>
    public static NetlinkSocket Open(uint groups, int protocol = NETLINK_ROUTE)
    {
        int fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0) throw LastError("socket");
        var handle = new NetlinkSocketHandle(fd);
        try
        {
            if (groups != 0)
            {
                int size = MulticastSocketBufferSize;
                LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, &size, sizeof(int)); // best effort
            }

            var address = new sockaddr_nl { nl_family = AF_NETLINK, nl_groups = groups };
            if (LibC.bind(fd, (sockaddr*)&address, sizeof(sockaddr_nl)) != 0) throw LastError("bind");
            socklen_t length = sizeof(sockaddr_nl);
            if (LibC.getsockname(fd, (sockaddr*)&address, &length) != 0) throw LastError("getsockname");
            return new NetlinkSocket(handle, address.nl_pid);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void Send(ReadOnlySpan<byte> message)
    {
        using var lease = new Lease(_handle);
        fixed (byte* data = message)
        {
            while (LibC.send(lease.Fd, data, (size_t)message.Length, 0) < 0)
                if (LibC.errno != LibC.EINTR) throw LastError("send");
        }
    }

    /// <summary>Waits until a datagram (or a pending error such as ENOBUFS) can be read.</summary>
    /// <returns>False when the timeout passed (or a signal interrupted the wait).</returns>
    public bool WaitReadable(int timeoutMilliseconds)
    {
        using var lease = new Lease(_handle);
        var fds = new pollfd { fd = lease.Fd, events = LibC.POLLIN };
        int ready = LibC.poll(&fds, 1, timeoutMilliseconds);
        if (ready < 0 && LibC.errno != LibC.EINTR) throw LastError("poll");
        return ready > 0;
    }

    /// <summary>Reads one datagram without blocking.</summary>
    /// <returns>Its length, or 0 when none is waiting.</returns>
    /// <exception cref="NetlinkException">ENOBUFS when the kernel dropped notifications because
    /// this socket's buffer was full; EMSGSIZE when a datagram did not fit in
    /// <paramref name="buffer"/>. Either way messages were lost.</exception>
    public int Receive(Span<byte> buffer)
    {
        using var lease = new Lease(_handle);
        fixed (byte* data = buffer)
        {
            while (true)
            {
                sockaddr_nl from = default;
                socklen_t fromLength = sizeof(sockaddr_nl);
                // MSG_TRUNC makes recv return the datagram's real length, so a cut one is noticed.
                long received = LibC.recvfrom(lease.Fd, data, (size_t)buffer.Length, LibC.MSG_DONTWAIT | LibC.MSG_TRUNC, (sockaddr*)&from, &fromLength);
                if (received < 0)
                {
                    int errno = LibC.errno;
                    if (errno == LibC.EINTR) continue;
                    if (errno == LibC.EAGAIN) return 0;
                    throw new NetlinkException(errno, "recv");
                }

                // Any local process may unicast to our port id; only the kernel (port 0) is believed.
                if (from.nl_pid != 0) continue;
                if (received > buffer.Length) throw new NetlinkException(LibC.EMSGSIZE, "recv");
                return (int)received;
            }
        }
    }

    /// <summary>Sends a dump request and hands each reply to <paramref name="onMessage"/> until
    /// the kernel's NLMSG_DONE. A plain request (no NLM_F_DUMP) ends at its one reply; the
    /// kernel's refusal of either throws <see cref="NetlinkException"/> with its errno.</summary>
    /// <returns>False when the kernel marked the dump NLM_F_DUMP_INTR: the table changed while it
    /// was walked, so the result may be inconsistent and asking again is worthwhile.</returns>
    /// <param name="requestSize">room for the request (generic netlink's nested attributes need more than rtnetlink's dumps).</param>
    public bool Dump(NetlinkRequest request, NetlinkMessageHandler onMessage, int requestSize = RtnlRequests.MaxLength)
    {
        uint seq = ++_seq;
        Span<byte> message = stackalloc byte[requestSize];
        Send(message[..request(message, seq)]);

        var buffer = _dumpBuffer ??= new byte[ReceiveBufferSize];
        bool consistent = true;
        while (true)
        {
            if (!WaitReadable(DumpTimeoutMilliseconds)) throw new TimeoutException("netlink dump: no reply from the kernel");
            int length = Receive(buffer);
            var reader = new NetlinkMessageReader(buffer.AsSpan(0, length));
            while (reader.TryRead(out var header, out var payload))
            {
                // Replies to an earlier dump that was abandoned halfway carry an older seq.
                if (header.nlmsg_seq != seq || header.nlmsg_pid != PortId) continue;
                if ((header.nlmsg_flags & NLM_F_DUMP_INTR) != 0) consistent = false;
                switch (header.nlmsg_type)
                {
                    case NLMSG_DONE:
                        // A dump that failed partway reports a negative errno in NLMSG_DONE.
                        ThrowIfError(payload, "dump");
                        return consistent;
                    case NLMSG_ERROR:
                        ThrowIfError(payload, "dump request");
                        return consistent;
                    case NLMSG_NOOP:
                        break;
                    default:
                        onMessage(header.nlmsg_type, payload);
                        // A reply without NLM_F_MULTI is the whole answer; no NLMSG_DONE follows.
                        if ((header.nlmsg_flags & NLM_F_MULTI) == 0) return consistent;
                        break;
                }
            }

            // Without trustworthy framing the NLMSG_DONE may never be found.
            if (reader.Malformed) throw new InvalidDataException("netlink dump: malformed reply from the kernel");
        }
    }

    private static void ThrowIfError(ReadOnlySpan<byte> payload, string operation)
    {
        if (MemoryMarshal.TryRead(payload, out int error) && error < 0) throw new NetlinkException(-error, operation);
    }

    private static NetlinkException LastError(string operation) => new(LibC.errno, operation);

    public void Dispose() => _handle.Dispose();

    /// <summary>Keeps the descriptor from being closed (and its number reused) during a call.</summary>
    private readonly ref struct Lease
    {
        private readonly SafeHandle _handle;

        public Lease(SafeHandle handle)
        {
            bool added = false;
            handle.DangerousAddRef(ref added);
            _handle = handle;
            Fd = (int)handle.DangerousGetHandle();
        }

        public int Fd { get; }

        public void Dispose() => _handle.DangerousRelease();
    }
}
