using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>PPPoE discovery on the host kernel (no kernel PPP needed): rp-pppoe's user-mode
/// pppoe-server answers in the ISP namespace, routerd's probe sends the PADI from the router's
/// WAN port. Each test starts the server it needs and stops it again.</summary>
public sealed class PppoeDiscoveryTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;

    static readonly PppoeServerOptions Server = new() { AcName = "lab-bras", Services = ["internet", "iptv"] };

    JsonNode ProbeJson(double timeoutSeconds, out CommandResult run)
    {
        run = lab.RouterdVerb("probe-wan", "wan0", "--json", "--timeout", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(run.ExitCode is 0 or 3, $"probe-wan failed: {run}");
        return JsonNode.Parse(run.Stdout, RouterdApi.NodeOptions)!;
    }

    [Fact]
    public async Task The_probe_finds_the_access_concentrator_and_its_services()
    {
        using var server = lab.StartPppoeServer(Server);
        // pppoe-server needs a moment to open its socket: the probe's own PADI retries cover it,
        // but a server that died at once must fail here with its message.
        await Task.Delay(300);
        Assert.False(server.HasExited, $"pppoe-server exited: {server.Output}");

        var result = ProbeJson(3, out var run);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("pppoe", (string?)result["suggestedMode"]);
        var offer = Assert.Single(result["offers"]!.AsArray())!;
        Assert.Equal("lab-bras", (string?)offer["acName"]);
        Assert.Equal(["internet", "iptv"], offer["services"]!.AsArray().Select(s => (string)s!).ToArray());
        Assert.Null(result["code"]);
    }

    [Fact]
    public async Task The_api_suggests_pppoe_when_a_server_answers()
    {
        using var server = lab.StartPppoeServer(Server);
        await Task.Delay(300);

        var result = await api.GetJson("/api/wan/detect?timeoutMs=2000");

        Assert.Equal("pppoe", (string?)result["suggestedMode"]);
        Assert.Equal("wan0", (string?)result["device"]);
        Assert.Equal("lab-bras", (string?)result["offers"]![0]!["acName"]);
    }

    [Fact]
    public async Task Without_a_server_it_reports_no_server_after_the_configured_timeout()
    {
        var result = ProbeJson(1.5, out var run);

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("wan/NO_SERVER", (string?)result["code"]);
        Assert.Equal("dhcp", (string?)result["suggestedMode"]);
        Assert.Empty(result["offers"]!.AsArray());
        Assert.InRange((double)result["waitedMs"]!, 1500, 15_000);

        var viaApi = await api.GetJson("/api/wan/detect?timeoutMs=1000");
        Assert.Equal("wan/NO_SERVER", (string?)viaApi["code"]);
    }

    [Fact]
    public async Task The_api_refuses_a_timeout_out_of_range_naming_it()
    {
        using var response = await api.Get("/api/wan/detect?timeoutMs=999999");
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("timeoutMs", await response.Content.ReadAsStringAsync());
    }
}
