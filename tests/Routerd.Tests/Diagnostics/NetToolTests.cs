using System.Net;
using Routerd.Core.Diagnostics;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Diagnostics;

/// <summary>The owner's network tools' pure parts: arguments checked before anything runs (a host
/// name or an address, never an option), the bounded argument lists, the summaries, and the DNS
/// wire format of the lookup.</summary>
public class NetToolTests
{
    static List<FieldError> Refused(Func<List<FieldError>, object?> check)
    {
        var errors = new List<FieldError>();
        Assert.Null(check(errors));
        Assert.NotEmpty(errors);
        return errors;
    }

    [Fact]
    public void A_ping_is_an_argument_list_ending_in_the_checked_host_bounded_in_count_and_time()
    {
        var errors = new List<FieldError>();
        var plan = NetToolRules.CheckPing(new PingRequest("Internet.Test.", null), errors);
        Assert.Empty(errors);
        Assert.Equal(["-n", "-c", "4", "-W", "2", "-w", "7", "--", "internet.test"], plan!.Arguments);
        Assert.Equal(TimeSpan.FromSeconds(12), plan.Limit);
        var v6 = NetToolRules.CheckPing(new PingRequest("2001:DB8::1", 10), errors)!;
        Assert.Equal("2001:db8::1", v6.Host);
        Assert.Equal("10", v6.Arguments[2]);
    }

    [Fact]
    public void A_traceroute_has_one_probe_per_hop_and_at_most_thirty_hops()
    {
        var errors = new List<FieldError>();
        var plan = NetToolRules.CheckTraceroute(new TracerouteRequest("198.51.100.10", 30), errors)!;
        Assert.Equal(["-4", "-n", "-q", "1", "-w", "2", "-m", "30", "198.51.100.10"], plan.Arguments);
        Assert.Equal("-6", NetToolRules.CheckTraceroute(new TracerouteRequest("2001:db8::1", null), errors)!.Arguments[0]);
        Assert.Empty(errors);
        Assert.Equal("maxHops", Assert.Single(Refused(e => NetToolRules.CheckTraceroute(new TracerouteRequest("a.test", 31), e))).Field);
    }

    public static TheoryData<string?, string> BadHosts() => new()
    {
        { null, "is required" },
        { "", "is required" },
        { "-c1000", "must not begin with '-'" },
        { "-", "must not begin with '-'" },
        { "--help", "must not begin with '-'" },
        { "a.test -c 1000", "is not a host name" },
        { "a.test;reboot", "is not a host name" },
        { "$(reboot)", "is not a host name" },
        { "a..test", "is not a host name" },
        { "-a.test", "must not begin" },
        { "a-.test", "is not a host name" },
        { "1.2.3", "is not a host name" },
        { "fe80::1%eth0", "is not a host name" },
        { "192.168.1.1/24", "is not a host name" },
        { "a\nb", "is not a host name" },
        { new string('a', 64) + ".test", "is not a host name" },
        { string.Join('.', Enumerable.Repeat("abcdefgh", 30)), "is too long" },
    };

    [Theory]
    [MemberData(nameof(BadHosts))]
    public void A_host_that_is_not_a_name_or_an_address_is_refused_naming_the_field(string? host, string message)
    {
        var ping = Assert.Single(Refused(e => NetToolRules.CheckPing(new PingRequest(host, 1), e)));
        Assert.Equal("host", ping.Field);
        Assert.Contains(message, ping.Message);
        Assert.Equal("host", Assert.Single(Refused(e => NetToolRules.CheckTraceroute(new TracerouteRequest(host, 1), e))).Field);
        Assert.Equal("name", Assert.Single(Refused(e => NetToolRules.CheckLookup(new LookupRequest(host, null, null), e))).Field);
    }

    [Fact]
    public void Every_wrong_field_is_named_at_once()
    {
        var ping = Refused(e => NetToolRules.CheckPing(new PingRequest("-f", 0), e));
        Assert.Equal(["host", "count"], ping.Select(e => e.Field));
        Assert.Single(Refused(e => NetToolRules.CheckPing(new PingRequest("a.test", 11), e)), e => e.Field == "count");
        var lookup = Refused(e => NetToolRules.CheckLookup(new LookupRequest("192.0.2.1", "mx", "dns.test"), e));
        Assert.Equal(["name", "type", "server"], lookup.Select(e => e.Field));
    }

    [Fact]
    public void A_lookup_asks_for_a_and_aaaa_by_default_of_the_given_server_or_the_routers()
    {
        var errors = new List<FieldError>();
        var plan = NetToolRules.CheckLookup(new LookupRequest("internet.test", null, null), errors)!;
        Assert.Equal([DnsType.A, DnsType.Aaaa], plan.Types);
        Assert.Null(plan.Server);
        Assert.Equal(IPAddress.Parse("203.0.113.1"), NetToolRules.CheckLookup(new LookupRequest("a.test", "AAAA", "203.0.113.1"), errors)!.Server);
        Assert.Empty(errors);
    }

    [Fact]
    public void Summaries_say_what_the_output_means()
    {
        string[] ping = ["PING 198.51.100.10 (198.51.100.10) 56(84) bytes of data.", "64 bytes from 198.51.100.10: icmp_seq=1 ttl=63 time=0.071 ms",
            "", "--- 198.51.100.10 ping statistics ---", "3 packets transmitted, 2 received, 33.3333% packet loss, time 2031ms",
            "rtt min/avg/max/mdev = 0.061/0.066/0.071/0.005 ms"];
        Assert.Equal("198.51.100.10 answered 2 of 3 pings, 0.066 ms on average.", NetToolRules.Summarize("ping", "198.51.100.10", ping, 1, false));
        Assert.Equal("192.0.2.9 did not answer any of 2 pings.", NetToolRules.Summarize("ping", "192.0.2.9",
            ["--- 192.0.2.9 ping statistics ---", "2 packets transmitted, 0 received, 100% packet loss, time 1010ms"], 1, false));
        Assert.StartsWith("The router could not find the address of nowhere.test", NetToolRules.Summarize("ping", "nowhere.test",
            ["ping: nowhere.test: Name or service not known"], 2, false));
        string[] trace = ["traceroute to internet.test (198.51.100.10), 20 hops max, 60 byte packets", " 1  203.0.113.1  0.101 ms", " 2  198.51.100.10  0.080 ms"];
        Assert.Equal("internet.test was reached in 2 hops.", NetToolRules.Summarize("traceroute", "internet.test", trace, 0, false));
        Assert.Equal("192.0.2.9 was not reached within 2 hops.", NetToolRules.Summarize("traceroute", "192.0.2.9",
            ["traceroute to 192.0.2.9 (192.0.2.9), 2 hops max, 60 byte packets", " 1  203.0.113.1  0.1 ms", " 2  *"], 0, false));
        Assert.Equal("The traceroute was stopped after its time ran out.", NetToolRules.Summarize("traceroute", "a.test", [], null, true));
    }

    [Fact]
    public void A_query_is_rfc_1035_wire_format_and_its_answer_is_read_through_name_compression()
    {
        var query = DnsMessage.Query(0x1234, "internet.test", DnsType.A);
        Assert.Equal(Convert.FromHexString("123401000001000000000000" + "08696E7465726E657404746573740000010001"), query);
        // The answer: the question again, a CNAME to a compressed name, then its A record.
        var answer = Convert.FromHexString(
            "123481800001000200000000" + "08696E7465726E657404746573740000010001" +
            "C00C" + "0005" + "0001" + "0000003C" + "0006" + "03777777" + "C00C" +   // at 43: www + pointer to 12
            "C02B" + "0001" + "0001" + "00000078" + "0004" + "C633640A");
        var parsed = DnsMessage.Parse(answer, 0x1234)!;
        Assert.Equal(0, parsed.ResponseCode);
        Assert.Equal([new LookupRecord("internet.test", "CNAME", 60, "www.internet.test"), new LookupRecord("www.internet.test", "A", 120, "198.51.100.10")], parsed.Records);
        Assert.Null(DnsMessage.Parse(answer, 0x4321));
        Assert.Null(DnsMessage.Parse(answer[..20], 0x1234));
        Assert.Null(DnsMessage.Parse(query, 0x1234)); // a question, not an answer
        var nx = (byte[])query.Clone();
        nx[2] |= 0x80; nx[3] = 0x83;
        Assert.Equal(3, DnsMessage.Parse(nx, 0x1234)!.ResponseCode);
        // A pointer to itself is refused, not followed for ever.
        var loop = Convert.FromHexString("123481800000000100000000" + "C00C00010001000000780004C6336400");
        Assert.Null(DnsMessage.Parse(loop, 0x1234));
    }
}
