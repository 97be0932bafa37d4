using System.Net;
using System.Net.Sockets;
using Routerd.Core.Diagnostics;
using Routerd.Platform.Netlink;
using Xunit;

namespace Routerd.Tests.Netlink;

/// <summary>The nfnetlink decoders against the running kernel, in a namespace the test makes:
/// a traced datagram on its loopback reports its rules, and its connection shows in a conntrack
/// dump. Nothing here reads or changes the test host's own firewall.</summary>
public class KernelNetfilterTests
{
    [Fact]
    public void A_traced_datagram_reports_the_rule_that_traced_it_and_the_rule_that_dropped_it()
    {
        using var ns = TestNamespace.Create();
        ns.Ip("link set lo up");
        ns.Exec("nft add table inet t");
        ns.Exec("nft add chain inet t pre { type filter hook prerouting priority 0 ; }");
        ns.Exec("nft add rule inet t pre udp dport 9 meta nftrace set 1");
        ns.Exec("nft add chain inet t in { type filter hook input priority 0 ; }");
        ns.Exec("nft add rule inet t in udp dport 9 counter drop comment \"dropper\"");
        using var socket = ns.Run(() => NetlinkSocket.Open(NetfilterInterop.NfTraceGroupBit, NetlinkInterop.NETLINK_NETFILTER));

        ns.Run(() => Send(9));
        var events = new List<TraceEvent>();
        var buffer = new byte[NetlinkSocket.ReceiveBufferSize];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!events.Any(e => e.Verdict == TraceVerdict.Drop) && DateTime.UtcNow < deadline)
        {
            if (!socket.WaitReadable(500)) continue;
            int length = socket.Receive(buffer);
            var reader = new NetlinkMessageReader(buffer.AsSpan(0, length));
            while (reader.TryRead(out var header, out var payload))
                if (header.nlmsg_type == NetfilterInterop.NftTraceMessage && NetfilterDecoders.TryDecodeTrace(payload, out var e)) events.Add(e);
        }

        // The kernel also reports the end of the chain's rules as a rule event without a handle.
        var traced = Assert.Single(events, e => e is { Chain: "pre", Type: TraceType.Rule, RuleHandle: not null });
        Assert.Equal(("t", TraceVerdict.Continue), (traced.Table, traced.Verdict));
        Assert.Equal(new TracePacket(IPAddress.Loopback, IPAddress.Loopback, 17, traced.Packet!.SourcePort, 9), traced.Packet);
        var dropped = Assert.Single(events, e => e.Verdict == TraceVerdict.Drop);
        Assert.Equal(("in", TraceType.Rule, traced.Id), (dropped.Chain, dropped.Type, dropped.Id));
        Assert.NotNull(dropped.RuleHandle);
    }

    [Fact]
    public void A_conntrack_dump_lists_a_datagrams_connection()
    {
        using var ns = TestNamespace.Create();
        ns.Ip("link set lo up");
        // Conntrack follows a namespace's packets once a ruleset there asks about connections.
        ns.Exec("nft add table inet t");
        ns.Exec("nft add chain inet t out { type filter hook output priority 0 ; }");
        ns.Exec("nft add rule inet t out ct state new counter");
        ns.Run(() => Send(10));

        var entries = ns.Run(() => new ConntrackDump().Dump(e => e.Original.DestinationPort == 10));
        var entry = Assert.Single(entries);
        Assert.Equal(17, entry.Protocol);
        Assert.Equal((IPAddress.Loopback, IPAddress.Loopback), (entry.Original.Source, entry.Original.Destination));
        Assert.Equal(entry.Original.SourcePort, entry.Reply.DestinationPort);
    }

    static bool Send(int port)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.SendTo("x"u8.ToArray(), new IPEndPoint(IPAddress.Loopback, port));
        return true;
    }
}
