using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>The connection tracer and a device's connections on the real kernel (issue 20): while
/// the internet host connects to the WAN address, the trace names the rule that dropped a port
/// without a forward and the DNAT rule of a forwarded one; the phone's open TCP connection is
/// listed under the phone.</summary>
public sealed class ConnectionTracerTests : IClassFixture<LabFixture>, IDisposable
{
    const int Service = 7110, Held = 7120;
    const string DnatComment = "a connection from the internet to a forwarded port of the WAN address goes to its device";
    const string WanDropComment = "nothing on the router is offered to the internet";
    readonly Lab.Lab lab;
    readonly RouterdApi api;
    readonly LabProcess service;

    public ConnectionTracerTests(LabFixture fixture)
    {
        (lab, api) = (fixture.Lab, fixture.Api);
        service = lab.StartIn(lab.Phone.Namespace, $"socat TCP-LISTEN:{Service},reuseaddr,fork SYSTEM:'echo tcp $SOCAT_PEERADDR'", "phone-tcp");
        lab.WaitFor(() => lab.RunIn(lab.Phone.Namespace, $"ss -Hlnt 'sport = :{Service}'").Stdout.Trim().Length > 0,
            TimeSpan.FromSeconds(5), "the phone's test service to listen").GetAwaiter().GetResult();
    }

    public void Dispose() => service.Dispose();

    CommandResult TcpFromInternet(int port) =>
        lab.RunIn(lab.IspNs, $"timeout 5 socat -T 3 - TCP:{lab.WanIp()}:{port},bind={LabAddresses.InternetHost},connect-timeout=3 </dev/null");

    bool TraceChainExists() => lab.RunIn(lab.RouterNs, "nft list chain inet routerd tracer").Ok;

    /// <summary>Starts a trace, connects from the internet host once the trace rule is in place, and returns the answer.</summary>
    async Task<(JsonNode Result, CommandResult Attempt)> TraceWhile(int port, int seconds = 6, string proto = "tcp", Func<int, CommandResult>? attemptFrom = null)
    {
        var trace = api.Post("/api/diagnostics/trace", new JsonObject { ["proto"] = proto, ["port"] = port, ["seconds"] = seconds });
        await lab.WaitFor(TraceChainExists, TimeSpan.FromSeconds(5), "the trace rule to be in routerd's table");
        var attempt = (attemptFrom ?? TcpFromInternet)(port);
        using var response = await trace;
        string body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 200, $"POST /api/diagnostics/trace → {(int)response.StatusCode}: {body}");
        Assert.False(TraceChainExists(), "the trace chain must be gone after the trace");
        return (JsonNode.Parse(body)!, attempt);
    }

    static IEnumerable<JsonNode> Steps(JsonNode path) => ((JsonArray)path["steps"]!).Select(s => s!);

    [Fact]
    public async Task The_trace_names_the_dropping_rule_for_a_port_without_a_forward_and_the_dnat_rule_for_one_with()
    {
        using (var r = await api.Post("/api/forwards", new JsonObject { ["protocol"] = "tcp", ["wanPort"] = 8080, ["mac"] = lab.Phone.Mac, ["lanPort"] = Service }))
            Assert.True((int)r.StatusCode == 201, await r.Content.ReadAsStringAsync());
        try
        {
            var (closed, refused) = await TraceWhile(8443);
            Assert.False(refused.Ok);
            string text = closed.ToJsonString();
            var drop = ((JsonArray)closed["paths"]!).Select(p => p!).First(p => (string?)p["fate"] == "dropped");
            Assert.Equal(LabAddresses.InternetHost, (string?)drop["source"]);
            var last = Steps(drop).Single(s => (string?)s["verdict"] == "drop");
            Assert.Equal(WanDropComment, (string?)last["comment"]);
            Assert.Equal(("input", "input_wan"), ((string?)last["hook"], (string?)last["chain"]));
            Assert.Contains($"dropped by “{WanDropComment}” (chain input_wan, input hook): no port forward for TCP 8443", (string?)closed["summary"]);

            var (open, answered) = await TraceWhile(8080);
            Assert.True(answered.Ok, answered.ToString());
            string phone = lab.LeaseOf(lab.Phone)!.Address;
            var forwarded = ((JsonArray)open["paths"]!).Select(p => p!).First(p => (string?)p["fate"] == "forwarded");
            Assert.Equal($"{phone}:{Service}", (string?)forwarded["natTo"]);
            var dnat = Steps(forwarded).First(s => (string?)s["comment"] == DnatComment);
            Assert.Equal(("prerouting", "forward_dstnat", "accept"), ((string?)dnat["hook"], (string?)dnat["chain"], (string?)dnat["verdict"]));
            Assert.Contains($"sent on to {phone}:{Service} by “{DnatComment}”", (string?)open["summary"]);

            // The verb prints the same words.
            var verb = Task.Run(() => lab.RouterdVerb("trace", "tcp", "8443", "--seconds", "5"));
            await lab.WaitFor(TraceChainExists, TimeSpan.FromSeconds(10), "the verb's trace rule");
            TcpFromInternet(8443);
            var printed = (await verb).EnsureOk().Stdout;
            Assert.Contains($"no port forward for TCP 8443", printed);
            Assert.Contains("input_wan", printed);
        }
        finally
        {
            foreach (var f in (JsonArray)await api.GetJson("/api/forwards"))
                using (await api.Delete($"/api/forwards/{(int)f!["id"]!}")) { }
        }
    }

    /// <summary>A forward for both protocols is tested for both: a UDP datagram is traced and named as UDP.</summary>
    [Fact]
    public async Task A_trace_for_both_protocols_follows_a_udp_datagram_and_names_it()
    {
        var (result, _) = await TraceWhile(8443, proto: "both", attemptFrom: port =>
            lab.RunIn(lab.IspNs, $"echo hello | timeout 3 socat -T 1 - UDP:{lab.WanIp()}:{port},bind={LabAddresses.InternetHost}"));
        Assert.Equal("both", (string?)result["protocol"]);
        Assert.Contains("no port forward for UDP 8443", (string?)result["summary"]);
    }

    [Fact]
    public async Task Bad_trace_requests_are_refused_naming_the_field_and_a_second_trace_waits_its_turn()
    {
        (string Body, string Field)[] bad =
        [
            ("""{"proto":"tcp","port":0}""", "port"),
            ("""{"proto":"tcp","port":80,"seconds":31}""", "seconds"),
            ("""{"proto":"icmp","port":80}""", "proto"),
            ("""{"proto":"tcp","port":80,"from":"internet.test"}""", "from"),
            ("""{"proto":"tcp","port":"eighty"}""", "port"),
        ];
        foreach (var (body, field) in bad)
        {
            using var r = await api.Post("/api/diagnostics/trace", JsonNode.Parse(body)!);
            string text = await r.Content.ReadAsStringAsync();
            Assert.True((int)r.StatusCode == 400, $"{body} → {(int)r.StatusCode}: {text}");
            Assert.Contains(field, ((JsonArray)JsonNode.Parse(text)!["errors"]!).Select(e => (string?)e!["field"]));
        }
        Assert.False(TraceChainExists());

        var first = api.Post("/api/diagnostics/trace", new JsonObject { ["proto"] = "udp", ["port"] = 9999, ["seconds"] = 3 });
        await lab.WaitFor(TraceChainExists, TimeSpan.FromSeconds(5), "the first trace's rule");
        using (var second = await api.Post("/api/diagnostics/trace", new JsonObject { ["proto"] = "udp", ["port"] = 9999, ["seconds"] = 1 }))
        {
            Assert.Equal(409, (int)second.StatusCode);
            Assert.Equal("diagnostics/TRACE_BUSY", (string?)JsonNode.Parse(await second.Content.ReadAsStringAsync())!["code"]);
        }
        using var done = await first;
        var result = JsonNode.Parse(await done.Content.ReadAsStringAsync())!;
        Assert.Equal(0, (int)result["packets"]!);
        Assert.StartsWith("No new UDP 9999 connection", (string?)result["summary"]);
    }

    [Fact]
    public async Task The_phones_open_tcp_connection_is_listed_under_the_phone_and_not_the_laptop()
    {
        using var listener = lab.StartIn(lab.IspNs, $"socat TCP-LISTEN:{Held},reuseaddr,fork SYSTEM:'sleep 60'", "isp-hold");
        await lab.WaitFor(() => lab.RunIn(lab.IspNs, $"ss -Hlnt 'sport = :{Held}'").Stdout.Trim().Length > 0, TimeSpan.FromSeconds(5), "the ISP's listener");
        using var client = lab.StartIn(lab.Phone.Namespace, $"sleep 60 | socat - TCP:{LabAddresses.InternetHost}:{Held}", "phone-hold");
        string phone = lab.LeaseOf(lab.Phone)!.Address;
        JsonNode? held = null;
        await lab.WaitFor(async () =>
        {
            var view = await api.GetJson($"/api/devices/{lab.Phone.Mac}/connections");
            held = ((JsonArray)view["connections"]!).FirstOrDefault(c => (int?)c!["remotePort"] == Held && (string?)c!["state"] == "established");
            return held is not null;
        }, TimeSpan.FromSeconds(10), "the phone's connection to the internet host in its list");
        Assert.Equal(("tcp", "out", phone, LabAddresses.InternetHost), ((string?)held!["protocol"], (string?)held["direction"], (string?)held["deviceAddress"], (string?)held["remoteAddress"]));

        var laptop = await api.GetJson($"/api/devices/{lab.Laptop.Mac}/connections");
        Assert.DoesNotContain((JsonArray)laptop["connections"]!, c => (int?)c!["remotePort"] == Held);

        using (var r = await api.Get("/api/devices/02:00:00:00:99:99/connections"))
            Assert.Equal(404, (int)r.StatusCode);
        using (var r = await api.Get("/api/devices/not-a-mac/connections"))
        {
            Assert.Equal(400, (int)r.StatusCode);
            Assert.Equal("mac", (string?)JsonNode.Parse(await r.Content.ReadAsStringAsync())!["errors"]![0]!["field"]);
        }
    }
}
