using System.Diagnostics;
using Routerd.Core.Diagnostics;
using Routerd.Core.Firewall;
using Routerd.Platform.Netlink;
using Tmds.Linux;
using static Routerd.Platform.Netlink.NetfilterInterop;
using static Routerd.Platform.Netlink.NetlinkInterop;

namespace Routerd.Platform.Nft;

/// <summary>The connection tracer on the kernel: listens to nf_tables trace events (nfnetlink
/// group NFNLGRP_NFTRACE), adds the trace rule to routerd's table through libnftables (the
/// firewall's own path), collects the events for the plan's seconds, removes the rule, then lists
/// the table to name each event's rule by its comment. One trace at a time.</summary>
/// <param name="interfaces">the interfaces' names by index, read once per trace (an event names them by index).</param>
public sealed class NftTracer(Func<IReadOnlyDictionary<int, string>> interfaces) : IConnectionTracer, IDisposable
{
    /// <summary>Enough to see a few attempts from outside; a flood is cut here, not held.</summary>
    public const int MaxPackets = 200;
    public const int MaxEvents = 10_000;
    const int PollMilliseconds = 200;

    readonly SemaphoreSlim gate = new(1, 1);
    readonly Nftables nft = new(); // its own context, opened at the first trace: nothing at routerd's start

    public async Task<TraceCapture> TraceAsync(TracePlan plan, CancellationToken cancellationToken)
    {
        if (!await gate.WaitAsync(0, cancellationToken)) throw new TraceException(TraceException.Busy, "another trace is running; try again when it has finished");
        try
        {
            // recv and poll block a thread for up to 30 s: a thread of its own, not the pool's.
            return await Task.Factory.StartNew(() => Trace(plan, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally { gate.Release(); }
    }

    TraceCapture Trace(TracePlan plan, CancellationToken cancellationToken)
    {
        // Subscribed before the rule exists, so the first traced packet's events are not missed.
        using var socket = NetlinkSocket.Open(NfTraceGroupBit, NETLINK_NETFILTER);
        NftResult add;
        try { add = nft.Run(TraceRenderer.Add(plan)); }
        catch (InvalidOperationException e) { throw new TraceException(TraceException.Failed, e.Message); } // no libnftables
        if (!add.Succeeded) throw new TraceException(TraceException.Failed, $"the trace rule could not be added to table inet {NftRenderer.TableName}: {add.Error}");
        var events = new List<TraceEvent>();
        bool truncated = false;
        try
        {
            var buffer = new byte[NetlinkSocket.ReceiveBufferSize];
            var clock = Stopwatch.StartNew();
            long end = plan.Seconds * 1000L;
            int packets = 0;
            while (!cancellationToken.IsCancellationRequested && !truncated && clock.ElapsedMilliseconds < end)
            {
                if (!socket.WaitReadable((int)Math.Min(PollMilliseconds, Math.Max(1, end - clock.ElapsedMilliseconds)))) continue;
                truncated = !Drain(socket, buffer, events, ref packets);
            }
            // Events are sent while the packet is handled: what the last packet caused is here already.
            if (!truncated) truncated = !Drain(socket, buffer, events, ref packets);
        }
        finally
        {
            // Fails harmlessly when a full apply of the ruleset replaced the table (and the chain) meanwhile.
            nft.Run(TraceRenderer.Remove());
        }
        var listing = nft.Run($"list table inet {NftRenderer.TableName}", json: true, terse: true);
        var rules = listing.Succeeded ? RuleBookJson.Parse(NftRenderer.TableName, listing.Output) : RuleBook.Empty with { Table = NftRenderer.TableName };
        return new TraceCapture(events, rules, interfaces(), truncated);
    }

    /// <summary>Reads every datagram waiting. False when the bounds are reached (or the kernel
    /// dropped events because they came faster than they were read): the trace stops there.</summary>
    static bool Drain(NetlinkSocket socket, byte[] buffer, List<TraceEvent> events, ref int packets)
    {
        while (true)
        {
            int length;
            try { length = socket.Receive(buffer); }
            catch (NetlinkException e) when (e.Errno == LibC.ENOBUFS) { return false; }
            if (length == 0) return true;
            var reader = new NetlinkMessageReader(buffer.AsSpan(0, length));
            while (reader.TryRead(out var header, out var payload))
            {
                if (header.nlmsg_type != NftTraceMessage || !NetfilterDecoders.TryDecodeTrace(payload, out var trace)) continue;
                if (TraceReport.StartsPacket(trace) && ++packets > MaxPackets) return false;
                events.Add(trace);
                if (events.Count >= MaxEvents) return false;
            }
        }
    }

    public void Dispose()
    {
        nft.Dispose();
        gate.Dispose();
    }
}
