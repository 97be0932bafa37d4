using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>Port forwards on the real kernel (issue 20): the internet host reaches a service on
/// the phone through the WAN address, over TCP and UDP, and the phone sees the internet host's
/// own address; the laptop reaches it through the WAN address too (hairpin). Each test makes the
/// forwards it needs through the API and deletes them again.</summary>
public sealed class PortForwardTests : IClassFixture<LabFixture>, IDisposable
{
    const int TcpService = 7100, UdpService = 7101;
    readonly Lab.Lab lab;
    readonly RouterdApi api;
    readonly LabProcess tcpService, udpService;

    public PortForwardTests(LabFixture fixture)
    {
        (lab, api) = (fixture.Lab, fixture.Api);
        // Each answers with the address it sees the caller at.
        tcpService = lab.StartIn(lab.Phone.Namespace, $"socat TCP-LISTEN:{TcpService},reuseaddr,fork SYSTEM:'echo tcp $SOCAT_PEERADDR'", "phone-tcp");
        udpService = lab.StartIn(lab.Phone.Namespace, $"socat -t 2 UDP-RECVFROM:{UdpService},fork SYSTEM:'echo udp $SOCAT_PEERADDR'", "phone-udp");
        lab.WaitFor(() => lab.RunIn(lab.Phone.Namespace, $"ss -Hln 'sport = :{TcpService} or sport = :{UdpService}'").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 2,
            TimeSpan.FromSeconds(5), "the phone's test services to listen").GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        tcpService.Dispose();
        udpService.Dispose();
    }

    /// <summary>From the internet host's address (the ISP namespace's loopback), not the ISP's link address.</summary>
    CommandResult TcpFromInternet(int port) =>
        lab.RunIn(lab.IspNs, $"timeout 5 socat -T 3 - TCP:{lab.WanIp()}:{port},bind={LabAddresses.InternetHost},connect-timeout=3 </dev/null");

    CommandResult UdpFromInternet(int port) =>
        lab.UdpFromIsp($"UDP:{lab.WanIp()}:{port},bind={LabAddresses.InternetHost}");

    static JsonObject Forward(string protocol, int wanPort, string mac, int? lanPort = null, bool enabled = true, string? description = null) => new()
    {
        ["protocol"] = protocol,
        ["wanPort"] = wanPort,
        ["mac"] = mac,
        ["lanPort"] = lanPort,
        ["enabled"] = enabled,
        ["description"] = description,
    };

    async Task<int> Create(JsonObject forward)
    {
        using var r = await api.Post("/api/forwards", forward);
        string body = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == 201, $"POST /api/forwards → {(int)r.StatusCode}: {body}");
        return (int)JsonNode.Parse(body)!["id"]!;
    }

    async Task DeleteAll()
    {
        foreach (var f in (JsonArray)await api.GetJson("/api/forwards"))
            using (var r = await api.Delete($"/api/forwards/{(int)f!["id"]!}"))
                Assert.True((int)r.StatusCode == 204, $"DELETE → {(int)r.StatusCode}");
    }

    string Map() => lab.RunIn(lab.RouterNs, "nft list map inet routerd forward_v4").EnsureOk().Stdout;

    [Fact]
    public async Task Tcp_and_udp_from_the_internet_reach_the_phone_which_sees_the_callers_own_address()
    {
        try
        {
            await Create(Forward("tcp", 8080, lab.Phone.Mac, TcpService, description: "phone's web"));
            await Create(Forward("udp", 9101, lab.Phone.Mac, UdpService));
            var tcp = TcpFromInternet(8080);
            Assert.True(tcp.Ok, $"{tcp}\n{Map()}");
            Assert.Equal($"tcp {LabAddresses.InternetHost}", tcp.Stdout.Trim());
            var udp = UdpFromInternet(9101);
            Assert.True(udp.Ok, $"{udp}\n{Map()}");
            Assert.Equal($"udp {LabAddresses.InternetHost}", udp.Stdout.Trim());

            // The list says where each leads: the phone's current address.
            string phone = lab.LeaseOf(lab.Phone)!.Address;
            var list = (JsonArray)await api.GetJson("/api/forwards");
            Assert.All(list, f => Assert.Equal(phone, (string?)f!["address"]));
            // A port without a forward stays closed, for both protocols.
            Assert.False(TcpFromInternet(8081).Ok);
            Assert.DoesNotContain("udp", UdpFromInternet(9102).Stdout);
        }
        finally { await DeleteAll(); }
    }

    /// <summary>Where br_netfilter is active (bridged frames pass the inet hooks), the kernel bridges
    /// a hairpin packet instead of routing it; without it the packet is routed back out of br-lan.
    /// Both must work: the sysctl is the router namespace's own.</summary>
    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    public async Task A_lan_client_using_the_wan_address_reaches_the_same_service_and_the_router_keeps_its_own(string bridgeNetfilter)
    {
        string sysctl = "/proc/sys/net/bridge/bridge-nf-call-iptables";
        string was = lab.RunIn(lab.RouterNs, $"cat {sysctl}").EnsureOk().Stdout.Trim();
        try
        {
            lab.RunIn(lab.RouterNs, $"echo {bridgeNetfilter} > {sysctl}").EnsureOk();
            // WAN port 80 is forwarded, and the router's web UI is port 80 on its LAN address.
            await Create(Forward("tcp", 80, lab.Phone.Mac, TcpService));
            var hairpin = lab.RunIn(lab.Laptop.Namespace, $"timeout 5 socat -T 3 - TCP:{lab.WanIp()}:80,connect-timeout=3 </dev/null");
            Assert.True(hairpin.Ok, $"{hairpin}\n{Map()}");
            // The answer comes back through the router, so the phone sees the router's LAN address.
            Assert.Equal($"tcp {LabAddresses.RouterLan}", hairpin.Stdout.Trim());
            Assert.Equal($"tcp {LabAddresses.InternetHost}", TcpFromInternet(80).Stdout.Trim());
            var webUi = lab.RunIn(lab.Laptop.Namespace, $"curl -sS --max-time 5 -o /dev/null -w '%{{http_code}}' http://{LabAddresses.RouterLan}/");
            Assert.Equal("200", webUi.Stdout.Trim());
        }
        finally
        {
            lab.RunIn(lab.RouterNs, $"echo {was} > {sysctl}");
            await DeleteAll();
        }
    }

    [Fact]
    public async Task Disabling_a_forward_stops_new_connections_and_enabling_it_brings_them_back()
    {
        try
        {
            int id = await Create(Forward("tcp", 8080, lab.Phone.Mac, TcpService));
            Assert.True(TcpFromInternet(8080).Ok);
            using (var off = await api.Put($"/api/forwards/{id}", Forward("tcp", 8080, lab.Phone.Mac, TcpService, enabled: false)))
                Assert.True(off.IsSuccessStatusCode, await off.Content.ReadAsStringAsync());
            var list = (JsonArray)await api.GetJson("/api/forwards");
            Assert.Equal("forward/DISABLED", (string?)list.Single()!["reason"]);
            Assert.False(TcpFromInternet(8080).Ok, Map());
            using (var on = await api.Put($"/api/forwards/{id}", Forward("tcp", 8080, lab.Phone.Mac, TcpService)))
                Assert.True(on.IsSuccessStatusCode, await on.Content.ReadAsStringAsync());
            Assert.True(TcpFromInternet(8080).Ok, Map());
        }
        finally { await DeleteAll(); }
    }

    [Fact]
    public async Task A_device_that_renews_to_a_new_address_keeps_its_forward()
    {
        var settings = await api.Settings();
        try
        {
            await Create(Forward("tcp", 8080, lab.Phone.Mac, TcpService));
            string before = lab.LeaseOf(lab.Phone)!.Address;
            Assert.True(TcpFromInternet(8080).Ok);
            // A static lease moves the phone: dnsmasq refuses the old address at the next renewal.
            string moved = before == "192.168.1.77" ? "192.168.1.78" : "192.168.1.77";
            var withLease = await api.Settings();
            withLease["lan"]!["staticLeases"] = new JsonArray(new JsonObject { ["mac"] = lab.Phone.Mac, ["address"] = moved });
            using (var put = await api.Put("/api/settings", withLease))
                Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
            lab.RenewLease(lab.Phone);
            await lab.WaitFor(() => lab.LeaseOf(lab.Phone)?.Address == moved, TimeSpan.FromSeconds(30), $"the phone to move to {moved}");
            await lab.WaitFor(() => Map().Contains($": {moved} . {TcpService}"), TimeSpan.FromSeconds(10), $"the forward to follow the phone to {moved}");
            var tcp = TcpFromInternet(8080);
            Assert.True(tcp.Ok, $"{tcp}\n{Map()}");
            Assert.Equal($"tcp {LabAddresses.InternetHost}", tcp.Stdout.Trim());
        }
        finally
        {
            await DeleteAll();
            settings["forwards"] = new JsonArray();
            using var back = await api.Put("/api/settings", settings);
        }
    }

    [Fact]
    public async Task A_port_scan_of_the_wan_address_finds_only_the_forwarded_ports()
    {
        try
        {
            await Create(Forward("tcp", 8080, lab.Phone.Mac, TcpService));
            await Create(Forward("tcp", 2222, lab.Phone.Mac, TcpService, enabled: false));
            await Create(Forward("tcp", 4444, "02:00:00:00:77:77", TcpService, description: "a device that is not here"));
            var tcp = lab.RunIn(lab.IspNs, $"nmap -Pn -n -sS -p- --min-rate 4000 --max-retries 1 -oG - {lab.WanIp()}", TimeSpan.FromSeconds(300));
            Assert.True(tcp.Ok, $"nmap: {tcp}");
            var open = System.Text.RegularExpressions.Regex.Matches(tcp.Stdout, @"(\d+)/open/").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(["8080"], open);
            var list = (JsonArray)await api.GetJson("/api/forwards");
            Assert.Equal("forward/NO_ADDRESS", (string?)list.Single(f => (int)f!["wanPort"]! == 4444)!["reason"]);
        }
        finally { await DeleteAll(); }
    }

    [Fact]
    public async Task Bad_forwards_are_refused_naming_the_field_and_nothing_is_applied()
    {
        try
        {
            await Create(Forward("tcp", 8080, lab.Phone.Mac, TcpService));
            string map = Map();
            var stored = (await api.Settings())["forwards"]!.ToJsonString();
            (JsonObject Body, string Field)[] bad =
            [
                (Forward("tcp", 0, lab.Phone.Mac), "wanPort"),
                (Forward("tcp", 70000, lab.Phone.Mac), "wanPort"),
                (Forward("sctp", 9000, lab.Phone.Mac), "protocol"),
                (Forward("both", 8080, lab.Laptop.Mac), "wanPort"), // TCP 8080 is forwarded already
                (Forward("tcp", 9000, "02:00:00:00:zz:01"), "mac"),
                (Forward("tcp", 9000, lab.Phone.Mac, 70000), "lanPort"),
                (Forward("tcp", 9000, lab.Phone.Mac, description: "x\nadd rule inet routerd input_wan accept"), "description"),
            ];
            foreach (var (body, field) in bad)
            {
                using var r = await api.Post("/api/forwards", body);
                string text = await r.Content.ReadAsStringAsync();
                Assert.True((int)r.StatusCode == 400, $"{body.ToJsonString()} → {(int)r.StatusCode}: {text}");
                var error = JsonNode.Parse(text)!;
                Assert.Equal("request/INVALID", (string?)error["code"]);
                Assert.Contains(field, ((JsonArray)error["errors"]!).Select(e => (string?)e!["field"]));
            }
            // A value of the wrong type is named at its field too.
            using (var r = await api.Post("/api/forwards", JsonNode.Parse($$"""{"protocol":"tcp","wanPort":"eighty","mac":"{{lab.Phone.Mac}}"}""")!))
            {
                string text = await r.Content.ReadAsStringAsync();
                Assert.True((int)r.StatusCode == 400, text);
                Assert.Equal(["wanPort"], ((JsonArray)JsonNode.Parse(text)!["errors"]!).Select(e => (string?)e!["field"]));
            }
            using (var r = await api.Put("/api/forwards/999", Forward("tcp", 9000, lab.Phone.Mac)))
                Assert.Equal(404, (int)r.StatusCode);
            using (var r = await api.Delete("/api/forwards/abc"))
                Assert.Equal(404, (int)r.StatusCode);
            Assert.Equal(stored, (await api.Settings())["forwards"]!.ToJsonString());
            Assert.Equal(map, Map());
            Assert.True(TcpFromInternet(8080).Ok);
        }
        finally { await DeleteAll(); }
    }
}
