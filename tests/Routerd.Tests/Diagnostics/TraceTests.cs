using System.Net;
using Routerd.Core.Diagnostics;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Diagnostics;

/// <summary>The connection tracer's pure parts: the request's checks, the rule it adds, the rule
/// book read from nft's listing, and the words for what the kernel reported.</summary>
public class TraceTests
{
    static readonly IPAddress Internet = IPAddress.Parse("198.51.100.10"), Wan = IPAddress.Parse("203.0.113.10"), Phone = IPAddress.Parse("192.168.1.77");
    static readonly MacAddress PhoneMac = MacAddress.Parse("02:00:00:00:01:01");

    static TracePlan Plan(int port, string protocol = "tcp") => new(protocol, null, null, port, 10);

    static List<FieldError> Refusal(TraceRequest request)
    {
        var errors = new List<FieldError>();
        Assert.Null(TraceRules.Check(request, errors));
        return errors;
    }

    [Fact]
    public void A_valid_request_becomes_a_plan_with_the_default_seconds()
    {
        var errors = new List<FieldError>();
        var plan = TraceRules.Check(new TraceRequest("TCP", "198.51.100.10", null, 8443, null), errors);
        Assert.Empty(errors);
        Assert.Equal(new TracePlan("tcp", Internet, null, 8443, TraceRules.DefaultSeconds), plan);
        Assert.Equal("TCP 8443", plan!.PortName);
    }

    public static TheoryData<TraceRequest, string> Bad() => new()
    {
        { new TraceRequest("tcp", null, null, 0, 10), "port" },
        { new TraceRequest("tcp", null, null, 65536, 10), "port" },
        { new TraceRequest("tcp", null, null, 80, 0), "seconds" },
        { new TraceRequest("tcp", null, null, 80, 31), "seconds" },
        { new TraceRequest("sctp", null, null, 80, 10), "proto" },
        { new TraceRequest(null, null, null, 80, 10), "proto" },
        { new TraceRequest("udp", "example.com", null, 80, 10), "from" },
        { new TraceRequest("udp", "10.0.0.0/8", null, 80, 10), "from" },
        { new TraceRequest("udp", "10.1", null, 80, 10), "from" },
        { new TraceRequest("udp", "fe80::1%eth0", null, 80, 10), "from" },
        { new TraceRequest("udp", null, "1.2.3.4 ; flush ruleset", 80, 10), "to" },
        { new TraceRequest("udp", "198.51.100.10", "2001:db8::1", 80, 10), "to" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void A_bad_request_is_refused_naming_the_field(TraceRequest request, string field) =>
        Assert.Equal([field], Refusal(request).Select(e => e.Field));

    [Fact]
    public void Every_bad_field_is_named_at_once() =>
        Assert.Equal(["proto", "port", "seconds", "from"], Refusal(new TraceRequest("icmp", "x", null, -1, 99)).Select(e => e.Field));

    [Fact]
    public void The_trace_rule_matches_new_connections_to_the_port_from_and_to_the_addresses_given()
    {
        var plan = new TracePlan("udp", Internet, IPAddress.Parse("2001:db8::1"), 5000, 10);
        Assert.Equal("""
            add chain inet routerd tracer { type filter hook prerouting priority -160; policy accept; }
            flush chain inet routerd tracer
            add rule inet routerd tracer meta l4proto udp th dport 5000 ip saddr 198.51.100.10 ip6 daddr 2001:db8::1 ct state != { established, related } meta nftrace set 1 comment "the connection tracer (POST /api/diagnostics/trace): these packets report the path they take"

            """, TraceRenderer.Add(plan));
        Assert.Equal("flush chain inet routerd tracer\ndelete chain inet routerd tracer\n", TraceRenderer.Remove());
    }

    const string Listing = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
         {"table": {"family": "inet", "name": "routerd", "handle": 3}},
         {"map": {"family": "inet", "name": "forward_v4", "table": "routerd", "type": ["inet_proto", "inet_service"], "handle": 9, "map": ["ipv4_addr", "inet_service"]}},
         {"chain": {"family": "inet", "table": "routerd", "name": "forward_dstnat", "handle": 10, "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
         {"chain": {"family": "inet", "table": "routerd", "name": "input", "handle": 11, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
         {"chain": {"family": "inet", "table": "routerd", "name": "input_wan", "handle": 12}},
         {"chain": {"family": "inet", "table": "routerd", "name": "input_wan_v6", "handle": 13}},
         {"chain": {"family": "inet", "table": "routerd", "name": "forward", "handle": 14, "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
         {"chain": {"family": "inet", "table": "routerd", "name": "download", "handle": 15}},
         {"chain": {"family": "inet", "table": "routerd", "name": "tracer", "handle": 16, "type": "filter", "hook": "prerouting", "prio": -160, "policy": "accept"}},
         {"rule": {"family": "inet", "table": "routerd", "chain": "forward_dstnat", "handle": 20, "comment": "a connection from the internet to a forwarded port of the WAN address goes to its device", "expr": []}},
         {"rule": {"family": "inet", "table": "routerd", "chain": "input", "handle": 5, "comment": "the internet side", "expr": [{"jump": {"target": "input_wan"}}]}},
         {"rule": {"family": "inet", "table": "routerd", "chain": "input_wan", "handle": 6, "comment": "IPv6's own (Firewall/NftRenderer.Ipv6.cs)", "expr": []}},
         {"rule": {"family": "inet", "table": "routerd", "chain": "input_wan", "handle": 12, "comment": "nothing on the router is offered to the internet", "expr": []}},
         {"rule": {"family": "inet", "table": "routerd", "chain": "forward", "handle": 30, "comment": "one lookup picks the path", "expr": []}},
         {"rule": {"family": "inet", "table": "routerd", "chain": "download", "handle": 31, "comment": "replies to connections the LAN opened", "expr": []}},
         {"rule": {"family": "inet", "table": "routerd", "chain": "download", "handle": 32, "expr": []}},
         {"rule": {"family": "inet", "table": "other", "chain": "x", "handle": 40, "comment": "not ours"}}]}
        """;

    static readonly RuleBook Book = RuleBookJson.Parse("routerd", Listing);

    [Fact]
    public void The_rule_book_has_every_chain_with_its_hook_and_every_rule_comment_by_handle()
    {
        Assert.Equal(new TraceChain("input", "input", "filter", "drop"), Book.Chains["input"]);
        Assert.Equal(new TraceChain("download", null, null, null), Book.Chains["download"]);
        Assert.Equal("the internet side", Book.Comments[5]);
        Assert.Null(Book.Comments[32]);
        Assert.False(Book.Comments.ContainsKey(40));
        Assert.Equal(7, Book.Chains.Count);
    }

    static TracePacket Syn(IPAddress to, int port) => new(Internet, to, 6, 40000, port);

    /// <summary>A SYN to a port without a forward, as the kernel reports it: traced by the tracer's
    /// rule, past the port forwards' policy, into input, input_wan (and back from IPv6's chain), dropped.</summary>
    static List<TraceEvent> Dropped(uint id, int port) =>
    [
        new(id, "routerd", "tracer", TraceType.Rule, 99, TraceVerdict.Continue, Packet: Syn(Wan, port), InputInterface: 2),
        new(id, "routerd", "tracer", TraceType.Rule, null, TraceVerdict.Continue), // the kernel's "rules ran out" (6.18)
        new(id, "routerd", "tracer", TraceType.Policy, null, TraceVerdict.Accept),
        new(id, "routerd", "forward_dstnat", TraceType.Policy, null, TraceVerdict.Accept, Packet: Syn(Wan, port), InputInterface: 2),
        new(id, "routerd", "input", TraceType.Rule, 5, TraceVerdict.Jump, "input_wan", Syn(Wan, port), InputInterface: 2),
        new(id, "routerd", "input_wan", TraceType.Rule, 6, TraceVerdict.Jump, "input_wan_v6"),
        new(id, "routerd", "input_wan_v6", TraceType.Rule, null, TraceVerdict.Continue),
        new(id, "routerd", "input_wan_v6", TraceType.Return, null, TraceVerdict.Return),
        new(id, "routerd", "input_wan", TraceType.Rule, 12, TraceVerdict.Drop),
    ];

    static List<TraceEvent> Forwarded(uint id) =>
    [
        new(id, "routerd", "tracer", TraceType.Rule, 99, TraceVerdict.Continue, Packet: Syn(Wan, 8080), InputInterface: 2),
        new(id, "routerd", "forward_dstnat", TraceType.Rule, 20, TraceVerdict.Accept, Packet: Syn(Wan, 8080), InputInterface: 2),
        new(id, "routerd", "forward", TraceType.Rule, 30, TraceVerdict.Jump, "download", Syn(Phone, 7100), InputInterface: 2, OutputInterface: 3),
        new(id, "routerd", "download", TraceType.Rule, 31, TraceVerdict.Accept),
    ];

    static TraceCapture Capture(IEnumerable<TraceEvent> events) =>
        new(events.ToList(), Book, new Dictionary<int, string> { [2] = "wan0", [3] = "br-lan" }, Truncated: false);

    static ForwardMap Forward(bool enabled = true, IPAddress? address = null, string? reason = null) =>
        new([new ForwardTarget(new ForwardPlan(1, ForwardProtocols.Tcp, 8080, 8080, PhoneMac, 7100, enabled, "web"), address, reason)]);

    [Fact]
    public void A_port_without_a_forward_is_dropped_by_the_wan_input_rule_and_says_there_is_no_forward()
    {
        var result = TraceReport.Build(Plan(8443), Capture(Dropped(7, 8443)), Forward(address: Phone));

        var path = Assert.Single(result.Paths);
        Assert.Equal(TraceReport.Dropped, path.Fate);
        Assert.Null(path.NatTo);
        Assert.Equal("1 packet from 198.51.100.10 to 203.0.113.10:8443: dropped by “nothing on the router is offered to the internet” " +
            "(chain input_wan, input hook): no port forward for TCP 8443.", result.Summary);
        Assert.Equal(["forward_dstnat", "input", "input_wan", "input_wan_v6", "input_wan"], path.Steps.Select(s => s.Chain));
        Assert.Equal(["prerouting", "input", "input", "input", "input"], path.Steps.Select(s => s.Hook));
        Assert.Equal("nothing on the router is offered to the internet", path.Steps[^1].Comment);
    }

    [Fact]
    public void A_forwarded_port_names_the_dnat_rule_the_new_address_and_the_way_out()
    {
        var result = TraceReport.Build(Plan(8080), Capture(Forwarded(8)), Forward(address: Phone));

        var path = Assert.Single(result.Paths);
        Assert.Equal(TraceReport.Forwarded, path.Fate);
        Assert.Equal("192.168.1.77:7100", path.NatTo);
        Assert.Equal("sent on to 192.168.1.77:7100 by “a connection from the internet to a forwarded port of the WAN address goes to its device” " +
            "(chain forward_dstnat, prerouting hook), then let through by “replies to connections the LAN opened” (chain download, forward hook) and out of br-lan", path.Words);
        Assert.Equal("address translated (NAT) by “a connection from the internet to a forwarded port of the WAN address goes to its device”", path.Steps[0].Words);
    }

    [Fact]
    public void A_reused_packet_id_starts_a_new_packet_at_the_tracers_rule_and_equal_paths_are_counted_together()
    {
        var result = TraceReport.Build(Plan(8443), Capture([.. Dropped(7, 8443), .. Dropped(7, 8443), .. Dropped(9, 8443)]), ForwardMap.Empty);

        Assert.Equal(3, result.Packets);
        Assert.Equal(3, Assert.Single(result.Paths).Packets);
        Assert.StartsWith("3 packets from 198.51.100.10 to 203.0.113.10:8443: dropped", result.Summary);
    }

    [Fact]
    public void Why_nothing_was_forwarded_follows_the_forward_list()
    {
        Assert.Equal("no port forward for UDP 8080", TraceReport.ForwardWords(Plan(8080, "udp"), Forward(address: Phone)));
        Assert.Equal("the port forward for TCP 8080 is turned off", TraceReport.ForwardWords(Plan(8080), Forward(enabled: false, reason: ForwardTarget.Disabled)));
        Assert.Equal("the port forward for TCP 8080 leads nowhere now: its device has no address on the LAN",
            TraceReport.ForwardWords(Plan(8080), Forward(reason: ForwardTarget.NoAddress)));
    }

    [Fact]
    public void A_trace_for_both_protocols_matches_both_and_names_each_packets_own()
    {
        var errors = new List<FieldError>();
        var plan = TraceRules.Check(new TraceRequest("both", null, null, 8443, 5), errors)!;
        Assert.Empty(errors);
        Assert.Equal("TCP or UDP 8443", plan.PortName);
        Assert.Contains("add rule inet routerd tracer meta l4proto { tcp, udp } th dport 8443 ct state != { established, related } meta nftrace set 1", TraceRenderer.Add(plan));

        // One TCP and one UDP packet, both dropped at the WAN input: each path says its own protocol.
        var udp = Dropped(9, 8443).Select(e => e.Packet is { } p ? e with { Packet = p with { Protocol = 17 } } : e);
        var result = TraceReport.Build(plan, Capture([.. Dropped(7, 8443), .. udp]), ForwardMap.Empty);
        Assert.Equal(["no port forward for TCP 8443", "no port forward for UDP 8443"],
            result.Paths.Select(p => p.Words[(p.Words.LastIndexOf(": ", StringComparison.Ordinal) + 2)..]));

        // With no packet, the words name both; a forward of either protocol is the one meant.
        Assert.StartsWith("No new TCP or UDP 8443 connection reached", TraceReport.Build(plan, Capture([]), ForwardMap.Empty).Summary);
        Assert.Equal("the port forward for TCP or UDP 8080 is turned off",
            TraceReport.ForwardWords(plan with { Port = 8080 }, Forward(enabled: false, reason: ForwardTarget.Disabled)));
    }

    [Fact]
    public void No_packet_says_what_to_try()
    {
        var result = TraceReport.Build(new TracePlan("udp", Internet, null, 9000, 12), Capture([]), ForwardMap.Empty);
        Assert.Equal(0, result.Packets);
        Assert.Empty(result.Paths);
        Assert.StartsWith("No new UDP 9000 connection from 198.51.100.10 reached the router in 12 s.", result.Summary);
    }

    [Fact]
    public void A_packet_without_a_decision_is_unfinished()
    {
        var events = Dropped(7, 8443).Take(4);
        var path = Assert.Single(TraceReport.Build(Plan(8443), Capture(events), ForwardMap.Empty).Paths);
        Assert.Equal(TraceReport.Unfinished, path.Fate);
        Assert.Contains("no decision was seen after chain forward_dstnat, prerouting hook", path.Words);
    }

    public static TheoryData<TraceType, TraceVerdict, string?, string> Steps() => new()
    {
        { TraceType.Rule, TraceVerdict.Accept, null, "accepted by “why”" },
        { TraceType.Rule, TraceVerdict.Accept, "nat", "address translated (NAT) by “why”" },
        { TraceType.Rule, TraceVerdict.Drop, null, "dropped by “why”" },
        { TraceType.Rule, TraceVerdict.Jump, null, "matched “why”; on to chain next" },
        { TraceType.Rule, TraceVerdict.Goto, null, "matched “why”; on to chain next for good (goto)" },
        { TraceType.Rule, TraceVerdict.Continue, null, "matched “why” and went on" },
        { TraceType.Rule, TraceVerdict.Return, null, "matched “why”; back to the chain that jumped here" },
        { TraceType.Rule, TraceVerdict.Queue, null, "handed to a program in user space by “why”" },
        { TraceType.Rule, TraceVerdict.Stolen, null, "taken over by “why”" },
        { TraceType.Rule, TraceVerdict.Stop, null, "“why”: verdict stop" },
        { TraceType.Return, TraceVerdict.Return, null, "no rule of chain c decided; back to the chain that jumped to it" },
        { TraceType.Policy, TraceVerdict.Accept, null, "no rule of chain c decided; its policy accepts" },
        { TraceType.Policy, TraceVerdict.Drop, null, "no rule of chain c let it through; its policy drops" },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void Each_verdict_in_words(TraceType type, TraceVerdict verdict, string? chainType, string words) =>
        Assert.Equal(words, TraceReport.StepWords(new TraceEvent(1, "routerd", "c", type, 3, verdict, "next"), "why", chainType));

    [Fact]
    public void A_rule_without_a_comment_is_named_by_its_handle() =>
        Assert.Equal("dropped by rule 3", TraceReport.StepWords(new TraceEvent(1, "routerd", "c", TraceType.Rule, 3, TraceVerdict.Drop), null, null));
}
