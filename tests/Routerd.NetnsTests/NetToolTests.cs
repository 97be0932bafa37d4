using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>The owner's network tools run by routerd in the router's namespace (issue 23): every
/// argument that is not a host name or an address is refused naming its field before anything
/// runs; a real ping and traceroute reach the ISP and the internet host, a lookup asks the
/// router's own DNS; one runs at a time.</summary>
public sealed class NetToolTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;

    async Task<(int Status, JsonNode Body)> Post(string tool, JsonObject body)
    {
        using var response = await api.Post($"/api/diagnostics/{tool}", body);
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonNode.Parse(text)!);
    }

    static IEnumerable<string?> Fields(JsonNode refusal) => ((JsonArray)refusal["errors"]!).Select(e => (string?)e!["field"]);

    [Fact]
    public async Task Arguments_that_could_become_options_or_commands_are_refused_naming_the_field()
    {
        foreach (var host in new[] { "-c1000", "--help", "-f 203.0.113.1", "203.0.113.1 -f", "a.test;reboot", "$(id)", "" })
        {
            var (status, body) = await Post("ping", new JsonObject { ["host"] = host, ["count"] = 2 });
            Assert.True(status == 400, $"ping '{host}' → {status}: {body}");
            Assert.Equal(["host"], Fields(body));
        }
        var (both, refusal) = await Post("ping", new JsonObject { ["host"] = "-i0", ["count"] = 1000 });
        Assert.Equal(400, both);
        Assert.Equal(["host", "count"], Fields(refusal));
        var (hops, hopRefusal) = await Post("traceroute", new JsonObject { ["host"] = LabAddresses.InternetHost, ["maxHops"] = 31 });
        Assert.Equal((400, "maxHops"), (hops, Fields(hopRefusal).Single()));
        var (lookup, lookupRefusal) = await Post("lookup", new JsonObject { ["name"] = "-x", ["type"] = "txt", ["server"] = "dns.test" });
        Assert.Equal(400, lookup);
        Assert.Equal(["name", "type", "server"], Fields(lookupRefusal));
        Assert.Empty(lab.PidsOf(lab.RouterNs, "ping"));
    }

    [Fact]
    public async Task A_ping_from_the_router_reaches_the_isp()
    {
        var (status, body) = await Post("ping", new JsonObject { ["host"] = LabAddresses.Isp, ["count"] = 3 });
        Assert.True(status == 200, body.ToJsonString());
        Assert.StartsWith($"{LabAddresses.Isp} answered 3 of 3 pings", (string?)body["summary"]);
        Assert.Contains(((JsonArray)body["lines"]!).Select(l => (string?)l), l => l!.StartsWith("3 packets transmitted, 3 received", StringComparison.Ordinal));
        Assert.Equal(0, (int?)body["exitCode"]);
    }

    [Fact]
    public async Task A_traceroute_reaches_the_internet_host_and_a_lookup_asks_the_routers_dns()
    {
        var (status, body) = await Post("traceroute", new JsonObject { ["host"] = LabAddresses.InternetHost, ["maxHops"] = 5 });
        Assert.True(status == 200, body.ToJsonString());
        Assert.Equal($"{LabAddresses.InternetHost} was reached in 1 hop.", (string?)body["summary"]);

        // The router's own DNS answers its own name (dnsmasq's host-record). It would not pass on
        // internet.test's address: the lab's "internet" is a documentation range, which dnsmasq's
        // rebind protection (stop-dns-rebind) keeps out of upstream answers.
        var (found, answer) = await Post("lookup", new JsonObject { ["name"] = "router.lan", ["type"] = "a" });
        Assert.True(found == 200, answer.ToJsonString());
        Assert.Equal(LabAddresses.RouterLan, (string?)answer["server"]);
        var records = (JsonArray)answer["records"]!;
        Assert.True(records.Count == 1, answer.ToJsonString());
        var record = records[0]!;
        Assert.Equal(("router.lan", "A", LabAddresses.RouterLan), ((string?)record["name"], (string?)record["type"], (string?)record["value"]));
        Assert.True((bool)answer["answered"]!);

        // Asked of the ISP's server directly: its address.
        var (direct, directAnswer) = await Post("lookup", new JsonObject { ["name"] = LabAddresses.InternetName, ["server"] = LabAddresses.Isp });
        Assert.Equal(200, direct);
        Assert.Contains($"{LabAddresses.InternetName} is {LabAddresses.InternetHost}", (string?)directAnswer["summary"]);
    }

    [Fact]
    public async Task One_tool_runs_at_a_time()
    {
        var first = Post("ping", new JsonObject { ["host"] = LabAddresses.InternetHost, ["count"] = 4 });
        await lab.WaitFor(() => lab.PidsOf(lab.RouterNs, "ping").Count > 0, TimeSpan.FromSeconds(5), "routerd's ping to run");
        var (busy, refusal) = await Post("traceroute", new JsonObject { ["host"] = LabAddresses.InternetHost });
        Assert.Equal((409, "diagnostics/BUSY"), (busy, (string?)refusal["code"]));
        var (status, body) = await first;
        Assert.True(status == 200, body.ToJsonString());
        var (after, _) = await Post("ping", new JsonObject { ["host"] = LabAddresses.Isp, ["count"] = 1 });
        Assert.Equal(200, after);
    }
}
