using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>The VIP lane on the real kernel: a 100 Mbit/s shaper both ways, the laptop pushing
/// four TCP flows, the phone's ping through the router. Asserts behaviour with wide margins;
/// the figures themselves belong to `./build.sh bench vip`.</summary>
public sealed partial class VipLaneTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;
    const long RateKbit = 100_000;

    [Fact]
    public async Task Priority_cuts_the_phones_rtt_under_load_in_both_directions()
    {
        await Shape();
        foreach (var (direction, reverse) in new[] { ("upload", ""), ("download", "-R") })
        {
            await Priority(lab.Phone, false);
            double without = MedianRttUnderLoad(reverse);
            await Priority(lab.Phone, true);
            double with = MedianRttUnderLoad(reverse);
            await Priority(lab.Phone, false);
            Assert.True(without >= 5 * with,
                $"{direction}: the phone's median RTT under load was {with:0.000} ms with the lane and {without:0.000} ms without; expected at least 5x lower");
        }
    }

    [Fact]
    public async Task Toggling_moves_a_running_flow_between_classes()
    {
        await Shape();
        await Priority(lab.Phone, false);
        using var flow = lab.StartIn(lab.Phone.Namespace, Iperf("-t 12 -b 20M", ""), "phone-upload");
        await Task.Delay(1500);
        await AssertFlowIn(vip: false, "lane off");
        await Priority(lab.Phone, true);
        await AssertFlowIn(vip: true, "lane on");
        await Priority(lab.Phone, false);
        await AssertFlowIn(vip: false, "lane off again");
        flow.Stop(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_device_whose_address_changes_keeps_its_lane()
    {
        await Priority(lab.Phone, true);
        string before = lab.LeaseOf(lab.Phone)!.Address;
        await lab.WaitFor(() => InSet("vip_v4", before), TimeSpan.FromSeconds(10), $"the VIP set to hold {before}");

        // A static lease moves the phone to another address: dnsmasq refuses the old one at the
        // next renewal and the phone takes the new one.
        string moved = before == "192.168.1.77" ? "192.168.1.78" : "192.168.1.77";
        var settings = await api.Settings();
        settings["lan"]!["staticLeases"] = new JsonArray(new JsonObject { ["mac"] = lab.Phone.Mac, ["address"] = moved });
        using (var put = await api.Put("/api/settings", settings))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        lab.RenewLease(lab.Phone);
        await lab.WaitFor(() => lab.LeaseOf(lab.Phone)?.Address == moved, TimeSpan.FromSeconds(30), $"the phone to move to {moved}");
        await lab.WaitFor(() => InSet("vip_v4", moved) && !InSet("vip_v4", before), TimeSpan.FromSeconds(10),
            $"the VIP set to follow the phone to {moved}");
        Assert.Contains(lab.Phone.Mac, VipSet("vip_macs"));
        await Priority(lab.Phone, false);
    }

    [Fact]
    public async Task Priority_with_an_expiry_turns_itself_off()
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(3);
        await Priority(lab.Phone, true, until);
        Assert.Contains(lab.Phone.Mac, VipSet("vip_macs"));
        await lab.WaitFor(async () => (await Device(lab.Phone))["priority"]?.GetValue<bool>() == false, TimeSpan.FromSeconds(10),
            "the API to show the expired priority as off");
        Assert.DoesNotContain(lab.Phone.Mac, VipSet("vip_macs"));
    }

    [Fact]
    public async Task Priorities_survive_a_routerd_restart_and_classification_never_stops()
    {
        await Priority(lab.Laptop, true);
        lab.StopRouterd();
        // routerd is gone: the kernel still classifies (the table and its sets stay).
        Assert.Contains(lab.Laptop.Mac, VipSet("vip_macs"));
        lab.StartRouterd();
        await lab.WaitFor(async () => { try { return (await Device(lab.Laptop))["priority"]?.GetValue<bool>() == true; } catch (HttpRequestException) { return false; } },
            TimeSpan.FromSeconds(30), "the restarted routerd to report the laptop's priority");
        Assert.Contains(lab.Laptop.Mac, VipSet("vip_macs"));
        await Priority(lab.Laptop, false);
    }

    [Theory]
    [InlineData("02:00:00:00:01", """{"enabled":true}""", 400, "mac")]
    [InlineData("02:00:00:00:99:99", """{"enabled":true}""", 404, "mac")]
    [InlineData("PHONE", """{"enabled":true,"until":"2001-01-01T00:00:00Z"}""", 400, "until")]
    public async Task Bad_priority_requests_are_refused_naming_the_field(string mac, string body, int status, string field)
    {
        string before = lab.Ruleset();
        if (mac == "PHONE") mac = lab.Phone.Mac;
        using var response = await api.Put($"/api/devices/{mac}/priority", JsonNode.Parse(body)!);
        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains($"\"field\": \"{field}\"", text);
        Assert.Equal(before, lab.Ruleset());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(100_000_001L)]
    public async Task Absurd_rates_are_refused(long kbit)
    {
        var settings = await api.Settings();
        settings["qos"] = new JsonObject { ["uploadKbit"] = kbit };
        using var response = await api.Put("/api/settings", settings);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("qos.uploadKbit", await response.Content.ReadAsStringAsync());
    }

    async Task Shape()
    {
        var settings = await api.Settings();
        settings["qos"] = new JsonObject { ["uploadKbit"] = RateKbit, ["downloadKbit"] = RateKbit };
        using var response = await api.Put("/api/settings", settings);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    async Task Priority(LabClient client, bool on, DateTimeOffset? until = null)
    {
        var body = new JsonObject { ["enabled"] = on };
        if (until is { } u) body["until"] = u.ToString("O", CultureInfo.InvariantCulture);
        using var response = await api.Put($"/api/devices/{client.Mac}/priority", body);
        Assert.True(response.IsSuccessStatusCode, $"priority {client.Name} {on} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    async Task<JsonNode> Device(LabClient client) =>
        ((JsonArray)await api.GetJson("/api/devices")).First(d => (string?)d!["mac"] == client.Mac)!;

    bool InSet(string set, string element) => Regex.IsMatch(VipSet(set), $@"[{{ ,]\s*{Regex.Escape(element)}\s*[,}}]");

    string VipSet(string set) => lab.RunIn(lab.RouterNs, $"nft list set inet routerd {set}").EnsureOk().Stdout;

    static string Iperf(string options, string reverse) =>
        $"iperf3 -c {LabAddresses.InternetHost} -p {LabAddresses.IperfPort} --connect-timeout 3000 {options} {reverse}";

    /// <summary>The laptop loads the line (4 flows), the phone pings the internet host meanwhile.</summary>
    double MedianRttUnderLoad(string reverse)
    {
        using var load = lab.StartIn(lab.Laptop.Namespace, Iperf("-P 4 -t 8", reverse), "laptop-load");
        Thread.Sleep(2000); // let the flows fill the queue
        var ping = lab.RunIn(lab.Phone.Namespace, $"ping -n -c 40 -i 0.05 -W 2 {LabAddresses.InternetHost}", TimeSpan.FromSeconds(20));
        load.WaitForExit(TimeSpan.FromSeconds(15));
        var rtts = RttPattern().Matches(ping.Stdout).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Order().ToList();
        Assert.True(rtts.Count >= 30, $"too few ping replies ({rtts.Count}):\n{ping.Stdout}{ping.Stderr}\nload: {load.Output}");
        Assert.True(load.Output.Contains("receiver"), $"the load did not run:\n{load.Output}");
        return rtts[rtts.Count / 2];
    }

    /// <summary>Over 1.5 s the phone's running upload goes through one class only (WAN egress).</summary>
    async Task AssertFlowIn(bool vip, string when)
    {
        await Task.Delay(500); // packets already queued in the other class drain first
        var (vip0, bulk0) = ClassBytes("wan0");
        await Task.Delay(1500);
        var (vip1, bulk1) = ClassBytes("wan0");
        long inLane = vip ? vip1 - vip0 : bulk1 - bulk0, other = vip ? bulk1 - bulk0 : vip1 - vip0;
        Assert.True(inLane > 1_000_000 && other < 100_000, $"{when}: VIP +{vip1 - vip0} B, bulk +{bulk1 - bulk0} B");
    }

    /// <summary>Bytes sent so far by the VIP (1:10) and bulk (1:20) classes on a router port.</summary>
    (long Vip, long Bulk) ClassBytes(string dev)
    {
        string stats = lab.RunIn(lab.RouterNs, $"tc -s class show dev {dev}").EnsureOk().Stdout;
        long Sent(string id) => long.Parse(Regex.Match(stats, $@"class htb {id} .*?\n\s*Sent (\d+) bytes", RegexOptions.Singleline).Groups[1].Value, CultureInfo.InvariantCulture);
        return (Sent("1:10"), Sent("1:20"));
    }

    [GeneratedRegex(@"time=([0-9.]+) ms")]
    private static partial Regex RttPattern();
}
