using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using Routerd.Core.VirtualServers;
using Routerd.Platform.Netlink;
using static Routerd.Platform.Netlink.NetlinkInterop;

// The kernel's names are kept on purpose, so a line can be checked against
// include/uapi/linux/ip_vs.h and include/uapi/linux/genetlink.h by eye.
#pragma warning disable CS8981, IDE1006

namespace Routerd.Platform.Ipvs;

[StructLayout(LayoutKind.Sequential)]
internal struct genlmsghdr
{
    public byte cmd;
    public byte version;
    public ushort reserved;
}

/// <summary>routerd's IPVS services over generic netlink (family "IPVS"), no ipvsadm process per
/// change: each service is keyed by a firewall mark of routerd's (VirtualServerRenderer.MarkPrefix),
/// its destinations are NATed ("masquerading") LAN backends. <see cref="Apply"/> reads what the
/// kernel holds and changes only what differs; services of other marks are never touched.</summary>
public sealed class IpvsNetlink : IIpvs, IBackendConnections, IDisposable
{
    const int NETLINK_GENERIC = 16;
    const ushort GENL_ID_CTRL = 0x10;
    const byte CTRL_CMD_GETFAMILY = 3;
    const ushort CTRL_ATTR_FAMILY_ID = 1, CTRL_ATTR_FAMILY_NAME = 2;

    const byte IPVS_GENL_VERSION = 1;
    const byte IPVS_CMD_NEW_SERVICE = 1, IPVS_CMD_SET_SERVICE = 2, IPVS_CMD_DEL_SERVICE = 3, IPVS_CMD_GET_SERVICE = 4;
    const byte IPVS_CMD_NEW_DEST = 5, IPVS_CMD_SET_DEST = 6, IPVS_CMD_DEL_DEST = 7, IPVS_CMD_GET_DEST = 8;
    const ushort IPVS_CMD_ATTR_SERVICE = 1, IPVS_CMD_ATTR_DEST = 2;
    const ushort IPVS_SVC_ATTR_AF = 1, IPVS_SVC_ATTR_FWMARK = 5, IPVS_SVC_ATTR_SCHED_NAME = 6, IPVS_SVC_ATTR_FLAGS = 7,
        IPVS_SVC_ATTR_TIMEOUT = 8, IPVS_SVC_ATTR_NETMASK = 9;
    const ushort IPVS_DEST_ATTR_ADDR = 1, IPVS_DEST_ATTR_PORT = 2, IPVS_DEST_ATTR_FWD_METHOD = 3, IPVS_DEST_ATTR_WEIGHT = 4,
        IPVS_DEST_ATTR_U_THRESH = 5, IPVS_DEST_ATTR_L_THRESH = 6, IPVS_DEST_ATTR_ACTIVE_CONNS = 7, IPVS_DEST_ATTR_ADDR_FAMILY = 11;
    /// <summary>IP_VS_CONN_F_MASQ: NAT to the backend; its answers come back through the router.</summary>
    const uint IP_VS_CONN_F_MASQ = 0;
    const int RequestSize = 256;

    readonly NetlinkSocket socket;
    readonly ushort family;
    readonly Lock gate = new();

    IpvsNetlink(NetlinkSocket socket, ushort family) => (this.socket, this.family) = (socket, family);

    /// <summary>The kernel's IPVS, or null when this kernel has none (the family is not registered:
    /// no ip_vs module, or it was never loaded).</summary>
    public static IpvsNetlink? TryOpen()
    {
        NetlinkSocket socket;
        try { socket = NetlinkSocket.Open(0, NETLINK_GENERIC); }
        catch (NetlinkException) { return null; }
        ushort id = 0;
        try
        {
            socket.Dump((buffer, seq) =>
            {
                var w = new NetlinkRequestWriter(buffer, GENL_ID_CTRL, NLM_F_REQUEST, seq);
                w.Append(new genlmsghdr { cmd = CTRL_CMD_GETFAMILY, version = 1 });
                w.AppendString(CTRL_ATTR_FAMILY_NAME, "IPVS");
                return w.Finish();
            }, (_, payload) =>
            {
                var r = new RtAttributeReader(payload[Marshal.SizeOf<genlmsghdr>()..]);
                while (r.TryRead(out ushort type, out var value))
                    if (type == CTRL_ATTR_FAMILY_ID && value.Length >= 2) id = MemoryMarshal.Read<ushort>(value);
            }, RequestSize);
        }
        // ENOENT is the usual answer (no such family); any other failure means no usable IPVS either.
        catch (Exception e) when (e is NetlinkException or TimeoutException or InvalidDataException)
        {
            socket.Dispose();
            return null;
        }
        if (id == 0)
        {
            socket.Dispose();
            return null;
        }
        return new IpvsNetlink(socket, id);
    }

    public void Apply(IpvsPlan plan)
    {
        lock (gate)
        {
            var held = Services();
            foreach (var (mark, _) in held)
                if (!plan.Services.Any(s => s.Mark == mark)) Request(IPVS_CMD_DEL_SERVICE, (ref NetlinkRequestWriter w) => Service(ref w, mark, null));
            foreach (var s in plan.Services)
            {
                if (!held.TryGetValue(s.Mark, out var scheduler)) Request(IPVS_CMD_NEW_SERVICE, (ref NetlinkRequestWriter w) => Service(ref w, s.Mark, s.Scheduler));
                else if (scheduler != s.Scheduler) Request(IPVS_CMD_SET_SERVICE, (ref NetlinkRequestWriter w) => Service(ref w, s.Mark, s.Scheduler));
                var dests = Destinations(s.Mark);
                foreach (var d in dests)
                    if (!s.Destinations.Any(x => x.Address.Equals(d.Address) && x.Port == d.Port))
                        Request(IPVS_CMD_DEL_DEST, (ref NetlinkRequestWriter w) => Destination(ref w, s.Mark, d, full: false));
                foreach (var d in s.Destinations)
                {
                    var now = dests.FirstOrDefault(h => h.Address.Equals(d.Address) && h.Port == d.Port);
                    if (now is null) Request(IPVS_CMD_NEW_DEST, (ref NetlinkRequestWriter w) => Destination(ref w, s.Mark, d, full: true));
                    else if (now.Weight != d.Weight) Request(IPVS_CMD_SET_DEST, (ref NetlinkRequestWriter w) => Destination(ref w, s.Mark, d, full: true));
                }
            }
        }
    }

    public IReadOnlyDictionary<(int Server, IPAddress Address, int Port), int> Active(BackendPool pool)
    {
        var counts = new Dictionary<(int, IPAddress, int), int>();
        lock (gate)
        {
            var held = Services();
            foreach (var s in pool.Servers.Where(s => s.Server.Enabled))
            {
                uint mark = VirtualServerRenderer.Mark(s.Server);
                if (!held.ContainsKey(mark)) continue;
                foreach (var d in Destinations(mark)) counts[(s.Server.Id, d.Address, d.Port)] = d.Active;
            }
        }
        return counts;
    }

    sealed record Held(IPAddress Address, int Port, int Weight, int Active);

    /// <summary>routerd's fwmark services (IPv4) now in the kernel, with their schedulers.</summary>
    Dictionary<uint, string> Services()
    {
        var found = new Dictionary<uint, string>();
        socket.Dump((buffer, seq) => Message(buffer, seq, IPVS_CMD_GET_SERVICE, NLM_F_REQUEST | NLM_F_DUMP, null), (_, payload) =>
        {
            foreach (var (type, value) in Attributes(payload[4..]))
            {
                if (type != IPVS_CMD_ATTR_SERVICE) continue;
                uint? mark = null;
                string scheduler = "";
                foreach (var (t, v) in Attributes(value))
                {
                    if (t == IPVS_SVC_ATTR_FWMARK && RtAttributeReader.TryReadUInt32(v, out uint m)) mark = m;
                    else if (t == IPVS_SVC_ATTR_SCHED_NAME) scheduler = RtAttributeReader.ReadString(v);
                }
                if (mark is { } k && (k & VirtualServerRenderer.MarkMask) == VirtualServerRenderer.MarkPrefix) found[k] = scheduler;
            }
        }, RequestSize);
        return found;
    }

    List<Held> Destinations(uint mark)
    {
        var found = new List<Held>();
        socket.Dump((buffer, seq) => Message(buffer, seq, IPVS_CMD_GET_DEST, NLM_F_REQUEST | NLM_F_DUMP, (ref NetlinkRequestWriter w) => Service(ref w, mark, null)), (_, payload) =>
        {
            foreach (var (type, value) in Attributes(payload[4..]))
            {
                if (type != IPVS_CMD_ATTR_DEST) continue;
                IPAddress? address = null;
                int port = 0, weight = 0, active = 0;
                foreach (var (t, v) in Attributes(value))
                {
                    if (t == IPVS_DEST_ATTR_ADDR && v.Length >= 4) address = new IPAddress(v[..4].ToArray());
                    else if (t == IPVS_DEST_ATTR_PORT && v.Length == 2) port = BinaryPrimitives.ReadUInt16BigEndian(v);
                    else if (t == IPVS_DEST_ATTR_WEIGHT && RtAttributeReader.TryReadInt32(v, out int n)) weight = n;
                    else if (t == IPVS_DEST_ATTR_ACTIVE_CONNS && RtAttributeReader.TryReadInt32(v, out int a)) active = a;
                }
                if (address is not null) found.Add(new Held(address, port, weight, active));
            }
        }, RequestSize);
        return found;
    }

    /// <summary>The attributes of one message, copied out (a span cannot leave the handler).</summary>
    static List<(ushort Type, byte[] Value)> Attributes(ReadOnlySpan<byte> attributes)
    {
        var list = new List<(ushort, byte[])>();
        var r = new RtAttributeReader(attributes);
        while (r.TryRead(out ushort type, out var value)) list.Add((type, value.ToArray()));
        if (r.Malformed) throw new InvalidDataException("IPVS: malformed attributes from the kernel");
        return list;
    }

    internal delegate void Body(ref NetlinkRequestWriter writer);

    /// <summary>A change, acknowledged by the kernel (its refusal throws NetlinkException, an IOException).</summary>
    void Request(byte command, Body body) =>
        socket.Dump((buffer, seq) => Message(buffer, seq, command, NLM_F_REQUEST | NLM_F_ACK, body), (_, _) => { }, RequestSize);

    int Message(Span<byte> buffer, uint seq, byte command, ushort flags, Body? body) => Message(buffer, seq, family, command, flags, body);

    /// <summary>One IPVS request: netlink header, generic netlink header, attributes (tests build them too).</summary>
    internal static int Message(Span<byte> buffer, uint seq, ushort family, byte command, ushort flags, Body? body)
    {
        var w = new NetlinkRequestWriter(buffer, family, flags, seq);
        w.Append(new genlmsghdr { cmd = command, version = IPVS_GENL_VERSION });
        body?.Invoke(ref w);
        return w.Finish();
    }

    /// <summary>The service by its mark; with a scheduler, the whole service as NEW/SET want it.</summary>
    static void Service(ref NetlinkRequestWriter w, uint mark, string? scheduler)
    {
        int nest = w.BeginNested(IPVS_CMD_ATTR_SERVICE);
        w.AppendUInt16(IPVS_SVC_ATTR_AF, AF_INET);
        w.AppendUInt32(IPVS_SVC_ATTR_FWMARK, mark);
        if (scheduler is not null)
        {
            w.AppendString(IPVS_SVC_ATTR_SCHED_NAME, scheduler);
            // struct ip_vs_flags { flags, mask }: no persistence, no one-packet scheduling.
            Span<byte> flags = stackalloc byte[8];
            MemoryMarshal.Write(flags, 0u);
            MemoryMarshal.Write(flags[4..], uint.MaxValue);
            w.AppendAttribute(IPVS_SVC_ATTR_FLAGS, flags);
            w.AppendUInt32(IPVS_SVC_ATTR_TIMEOUT, 0);
            w.AppendUInt32(IPVS_SVC_ATTR_NETMASK, uint.MaxValue);
        }
        w.EndNested(nest);
    }

    internal static void Destination(ref NetlinkRequestWriter w, uint mark, IpvsDestination d, bool full) =>
        Destination(ref w, mark, d.Address, d.Port, d.Weight, full);

    static void Destination(ref NetlinkRequestWriter w, uint mark, Held d, bool full) =>
        Destination(ref w, mark, d.Address, d.Port, d.Weight, full);

    static void Destination(ref NetlinkRequestWriter w, uint mark, IPAddress address, int port, int weight, bool full)
    {
        Service(ref w, mark, null);
        int nest = w.BeginNested(IPVS_CMD_ATTR_DEST);
        // union nf_inet_addr: 16 bytes, an IPv4 address in the first four, network order.
        Span<byte> addr = stackalloc byte[16];
        addr.Clear();
        address.TryWriteBytes(addr, out _);
        w.AppendAttribute(IPVS_DEST_ATTR_ADDR, addr);
        Span<byte> be = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(be, (ushort)port);
        w.AppendAttribute(IPVS_DEST_ATTR_PORT, be);
        if (full)
        {
            w.AppendUInt32(IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_MASQ);
            w.AppendUInt32(IPVS_DEST_ATTR_WEIGHT, (uint)weight);
            w.AppendUInt32(IPVS_DEST_ATTR_U_THRESH, 0);
            w.AppendUInt32(IPVS_DEST_ATTR_L_THRESH, 0);
            w.AppendUInt16(IPVS_DEST_ATTR_ADDR_FAMILY, AF_INET);
        }
        w.EndNested(nest);
    }

    public void Dispose() => socket.Dispose();
}
