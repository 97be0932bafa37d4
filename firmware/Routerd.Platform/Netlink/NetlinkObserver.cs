using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Tmds.Linux;
using static Routerd.Platform.Netlink.NetlinkInterop;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Platform.Netlink;

internal delegate bool RtnlDecoder<T>(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out T? value) where T : class;

/// <summary>The kernel's links, addresses, IPv4 routes and neighbours over rtnetlink, in the
/// network namespace of the thread that calls it.</summary>
public sealed class NetlinkObserver : INetworkObserver
{
    private const uint WatchGroups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_NEIGH;

    // How long the watch thread sleeps in poll() before it looks at the cancellation token:
    // the bound on how late a cancelled watch lets go of its sockets.
    private const int PollIntervalMilliseconds = 200;

    // A dump the kernel marks interrupted is retried; when changes keep racing it, the last
    // (slightly stale) answer is still better than none.
    private const int MaxDumpAttempts = 3;

    public IReadOnlyList<LinkInfo> Links() => DumpOnce<LinkInfo>(RtnlRequests.GetLinks, RTM_NEWLINK, RtnlDecoders.TryDecodeLink);

    public IReadOnlyList<AddressInfo> Addresses() => DumpOnce<AddressInfo>(RtnlRequests.GetAddresses, RTM_NEWADDR, RtnlDecoders.TryDecodeAddress);

    public IReadOnlyList<RouteInfo> Ipv4Routes() => DumpOnce<RouteInfo>(RtnlRequests.GetIpv4Routes, RTM_NEWROUTE, RtnlDecoders.TryDecodeRoute);

    public IReadOnlyList<Ipv6DefaultRouteInfo> Ipv6DefaultRoutes() => DumpOnce<Ipv6DefaultRouteInfo>(RtnlRequests.GetIpv6Routes, RTM_NEWROUTE, RtnlDecoders.TryDecodeIpv6DefaultRoute);

    public IReadOnlyList<NeighbourInfo> Neighbours() => DumpOnce<NeighbourInfo>(RtnlRequests.GetNeighbours, RTM_NEWNEIGH, RtnlDecoders.TryDecodeNeighbour);

    /// <summary>Every device's qdiscs, roots and leaves.</summary>
    public static IReadOnlyList<QdiscInfo> Qdiscs() => DumpOnce<QdiscInfo>(RtnlRequests.GetQdiscs, RTM_NEWQDISC, RtnlDecoders.TryDecodeQdisc);

    /// <summary>Whether this namespace has the nf_tables table <paramref name="name"/> of
    /// <paramref name="family"/>: one request, where `nft list table` is a process.</summary>
    public static bool NfTableExists(byte family, string name)
    {
        using var socket = NetlinkSocket.Open(groups: 0, NETLINK_NETFILTER);
        try
        {
            bool found = false;
            socket.Dump((buffer, seq) => RtnlRequests.GetTable(buffer, seq, family, name),
                (type, _) => found |= type == NfTablesMessage(NFT_MSG_NEWTABLE));
            return found;
        }
        catch (NetlinkException e) when (e.Errno == LibC.ENOENT)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Subscribe before taking the first dump, or a change between the two is missed.
    /// When the kernel reports lost notifications (ENOBUFS), every current link, address and
    /// neighbour is re-dumped and yielded as a new (Deleted=false) event after an <see cref="EventsLost"/>;
    /// deletions that fell into the gap are not replayed, so consumers keeping their own tables re-read then.
    /// Cancelling ends the enumeration with an OperationCanceledException at once; the
    /// sockets are closed within <see cref="PollIntervalMilliseconds"/>.</remarks>
    public async IAsyncEnumerable<NetworkEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Opened here, on the caller's thread, so both sockets live in the caller's namespace.
        var monitor = NetlinkSocket.Open(WatchGroups);
        NetlinkSocket resync;
        try
        {
            resync = NetlinkSocket.Open(groups: 0);
        }
        catch
        {
            monitor.Dispose();
            throw;
        }

        var channel = Channel.CreateUnbounded<NetworkEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // recv blocks a thread; a dedicated one keeps that off the thread pool.
        var pump = new Thread(() => Pump(monitor, resync, channel.Writer, stop.Token)) { IsBackground = true, Name = "netlink-watch" };
        pump.Start();
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return change;
        }
        finally
        {
            // Also reached when the consumer stops enumerating early.
            stop.Cancel();
            stop.Dispose();
        }
    }

    private static void Pump(NetlinkSocket monitor, NetlinkSocket resync, ChannelWriter<NetworkEvent> events, CancellationToken stop)
    {
        try
        {
            var buffer = new byte[NetlinkSocket.ReceiveBufferSize];
            while (!stop.IsCancellationRequested)
            {
                if (!monitor.WaitReadable(PollIntervalMilliseconds)) continue;
                int length;
                try
                {
                    length = monitor.Receive(buffer);
                }
                catch (NetlinkException e) when (e.Errno == LibC.ENOBUFS || e.Errno == LibC.EMSGSIZE)
                {
                    // Notifications were dropped: we cannot know which, so re-dump everything the
                    // watch covers and announce it afresh.
                    Resync(resync, events);
                    continue;
                }

                var reader = new NetlinkMessageReader(buffer.AsSpan(0, length));
                while (reader.TryRead(out var header, out var payload))
                    if (RtnlDecoders.DecodeEvent(header.nlmsg_type, payload) is { } change)
                        events.TryWrite(change);
            }

            events.TryComplete();
        }
        catch (Exception e)
        {
            events.TryComplete(e);
        }
        finally
        {
            monitor.Dispose();
            resync.Dispose();
        }
    }

    private static void Resync(NetlinkSocket socket, ChannelWriter<NetworkEvent> events)
    {
        events.TryWrite(new EventsLost());
        foreach (var link in Dump<LinkInfo>(socket, RtnlRequests.GetLinks, RTM_NEWLINK, RtnlDecoders.TryDecodeLink))
            events.TryWrite(new LinkEvent(link, Deleted: false));
        foreach (var address in Dump<AddressInfo>(socket, RtnlRequests.GetAddresses, RTM_NEWADDR, RtnlDecoders.TryDecodeAddress))
            events.TryWrite(new AddressEvent(address, Deleted: false));
        foreach (var neighbour in Dump<NeighbourInfo>(socket, RtnlRequests.GetNeighbours, RTM_NEWNEIGH, RtnlDecoders.TryDecodeNeighbour))
            events.TryWrite(new NeighbourEvent(neighbour, Deleted: false));
    }

    private static List<T> DumpOnce<T>(NetlinkRequest request, ushort replyType, RtnlDecoder<T> decode) where T : class
    {
        using var socket = NetlinkSocket.Open(groups: 0);
        return Dump(socket, request, replyType, decode);
    }

    private static List<T> Dump<T>(NetlinkSocket socket, NetlinkRequest request, ushort replyType, RtnlDecoder<T> decode) where T : class
    {
        for (int attempt = 1; ; attempt++)
        {
            var facts = new List<T>();
            bool consistent = socket.Dump(request, (type, payload) =>
            {
                if (type == replyType && decode(payload, out var fact)) facts.Add(fact);
            });
            if (consistent || attempt == MaxDumpAttempts) return facts;
        }
    }
}
