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
        Assert.Contains(lab.Phone.Mac, lab.NftSet("vip_macs"));
        await Priority(lab.Phone, false);
    }

    [Fact]
    public async Task The_lane_follows_a_devices_ipv6_addresses_privacy_addresses_included()
    {
        // The lab's LAN is IPv4-only: give the bridge and the phone addresses in a ULA prefix,
        // a stable one and a random-looking "privacy" one, and let each talk to the router once.
        const string router = "fd00:1::1", stable = "fd00:1::77", privacy = "fd00:1::5c3a:91e2:7b4d:10f6";
        lab.RunIn(lab.RouterNs, $"ip addr add {router}/64 dev br-lan nodad").EnsureOk();
        try
        {
            lab.RunIn(lab.Phone.Namespace, $"ip addr add {stable}/64 dev eth0 nodad && ip addr add {privacy}/64 dev eth0 nodad").EnsureOk();
            await Priority(lab.Phone, true);
            foreach (var source in new[] { stable, privacy })
                lab.RunIn(lab.Phone.Namespace, $"ping -6 -n -c 1 -W 2 -I {source} {router}").EnsureOk();
            await lab.WaitFor(() => InSet("vip_v6", stable) && InSet("vip_v6", privacy), TimeSpan.FromSeconds(20),
                "the VIP set to hold both of the phone's IPv6 addresses");
            await Priority(lab.Phone, false);
            Assert.False(InSet("vip_v6", stable) || InSet("vip_v6", privacy), lab.NftSet("vip_v6"));
        }
        finally
        {
            lab.RunIn(lab.Phone.Namespace, $"ip addr del {stable}/64 dev eth0; ip addr del {privacy}/64 dev eth0");
            lab.RunIn(lab.RouterNs, $"ip addr del {router}/64 dev br-lan");
        }
    }

    [Fact]
    public async Task Priority_with_an_expiry_turns_itself_off()
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(3);
        await Priority(lab.Phone, true, until);
        Assert.Contains(lab.Phone.Mac, lab.NftSet("vip_macs"));
        await lab.WaitFor(async () => (await Device(lab.Phone))["priority"]?.GetValue<bool>() == false, TimeSpan.FromSeconds(10),
            "the API to show the expired priority as off");
        Assert.DoesNotContain(lab.Phone.Mac, lab.NftSet("vip_macs"));
    }

    [Fact]
    public async Task Priorities_survive_a_routerd_restart_and_classification_never_stops()
    {
        await Priority(lab.Laptop, true);
        lab.StopRouterd();
        // routerd is gone: the kernel still classifies (the table and its sets stay).
        Assert.Contains(lab.Laptop.Mac, lab.NftSet("vip_macs"));
        lab.StartRouterd();
        await lab.WaitFor(async () => { try { return (await Device(lab.Laptop))["priority"]?.GetValue<bool>() == true; } catch (HttpRequestException) { return false; } },
            TimeSpan.FromSeconds(30), "the restarted routerd to report the laptop's priority");
        Assert.Contains(lab.Laptop.Mac, lab.NftSet("vip_macs"));
        await Priority(lab.Laptop, false);
    }

    [Fact]
    public async Task Each_devices_traffic_is_counted_per_direction()
    {
        var (laptopUp0, laptopDown0) = await Traffic(lab.Laptop);
        // Each direction on its own: a transfer's ACKs count in the other direction.
        foreach (var (reverse, direction) in new[] { ("", "upload"), ("-R", "download") })
        {
            var before = await Traffic(lab.Phone);
            var (sent, received) = Transfer(lab.Phone, reverse);
            await Task.Delay(1100); // the API samples the counters at most once a second
            var after = await Traffic(lab.Phone);
            long counted = direction == "upload" ? after.Up - before.Up : after.Down - before.Down;
            // At least the payload that arrived; at most what was sent plus headers and the
            // control connection.
            Assert.True(counted >= received && counted <= sent * 106 / 100 + 100_000,
                $"{direction}: counted {counted} B for {sent} B sent and {received} B received");
        }
        var (laptopUp1, laptopDown1) = await Traffic(lab.Laptop);
        Assert.InRange(laptopUp1 - laptopUp0, 0, 50_000);
        Assert.InRange(laptopDown1 - laptopDown0, 0, 50_000);
    }

    [Fact]
    public async Task Usage_per_hour_counts_a_download_and_survives_a_restart()
    {
        var before = await Usage(lab.Phone);
        Assert.Equal(168, ((JsonArray)before["download"]!).Count);
        var (sent, received) = Transfer(lab.Phone, "-R");
        await Task.Delay(1100); // the API samples the counters at most once a second
        var after = await Usage(lab.Phone);
        long counted = Total(after, "download") - Total(before, "download");
        Assert.True(counted >= received && counted <= sent * 106 / 100 + 100_000,
            $"the week's download grew by {counted} B for {sent} B sent and {received} B received");
        // The transfer is in the last hour (or the last two, had it crossed an hour's start).
        var hours = ((JsonArray)after["download"]!).Select(v => v!.GetValue<long>()).ToArray();
        Assert.Equal(Total(after, "download"), hours.Sum());
        Assert.True(hours[^2..].Sum() >= counted, $"the last two hours hold {hours[^2..].Sum()} B of the {counted} B counted now");

        // A stop writes the history to the state directory; the next routerd reads it back.
        lab.StopRouterd();
        Assert.True(File.Exists(Path.Combine(lab.StateDir, "usage.json")), "routerd's stop wrote no usage.json");
        lab.StartRouterd();
        JsonNode? back = null;
        await lab.WaitFor(async () => { try { back = await Usage(lab.Phone); return true; } catch (HttpRequestException) { return false; } },
            TimeSpan.FromSeconds(30), "the restarted routerd's usage API");
        Assert.True(Total(back!, "download") >= Total(after, "download"),
            $"after the restart the week's download is {Total(back!, "download")} B, before it {Total(after, "download")} B");
    }

    async Task<JsonNode> Usage(LabClient client) => await api.GetJson($"/api/devices/{client.Mac}/usage");

    static long Total(JsonNode usage, string direction) => usage[direction + "Total"]!.GetValue<long>();

    [Fact]
    public async Task Qos_reports_whether_the_shaper_is_on_and_every_queue()
    {
        var settings = await api.Settings();
        settings["qos"] = new JsonObject();
        using (var put = await api.Put("/api/settings", settings))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var off = await api.GetJson("/api/qos");
        Assert.False(off["shaperOn"]!.GetValue<bool>());
        Assert.Equal(["wan0:upload", .. lab.Clients.Select(c => $"{c.RouterPort}:download")], Queues(off));
        // The host kernel has no AQM qdisc: unshaped ports get pfifo_fast's bands, which have no
        // classes to count; with cake or fq_codel they get the tree and its two classes.
        string[] portClasses = (string?)off["leaf"] == "fifo" ? [] : ["vip", "bulk"];
        Assert.All((JsonArray)off["queues"]!, q => Assert.Equal(portClasses, ((JsonArray)q!["classes"]!).Select(c => (string?)c!["name"])));
        if (portClasses.Length == 0)
            Assert.Matches(@"(?m)^wan0 +upload +- +the port's own priority bands", lab.RouterdVerb("qos").EnsureOk().Stdout);

        await Shape();
        var on = await api.GetJson("/api/qos");
        Assert.True(on["shaperOn"]!.GetValue<bool>());
        Assert.Equal(RateKbit, on["uploadKbit"]!.GetValue<long>());
        Assert.Equal(["wan0:upload", "br-lan:download"], Queues(on));
        Assert.All((JsonArray)on["queues"]!, q => Assert.Equal(["vip", "bulk"], ((JsonArray)q!["classes"]!).Select(c => (string?)c!["name"])));
    }

    [Fact]
    public async Task The_cli_turns_priority_on_and_off_and_shows_devices_and_queues()
    {
        await Shape(); // the classes' counters: an unshaped port on this kernel has none
        var on = lab.RouterdVerb("priority", lab.Phone.Mac, "on", "for", "1h").EnsureOk();
        Assert.Contains($"{lab.Phone.Mac}: VIP until", on.Stdout);
        var until = DateTimeOffset.Parse((string)(await Device(lab.Phone))["priorityUntil"]!, CultureInfo.InvariantCulture);
        Assert.InRange(until, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        Assert.Contains(lab.Phone.Mac, lab.NftSet("vip_macs"));
        Assert.Matches($@"(?m)^{Regex.Escape(lab.Phone.Mac)} .* VIP until ", lab.RouterdVerb("devices").EnsureOk().Stdout);
        Assert.Matches(@"(?m)^wan0 +upload +vip ", lab.RouterdVerb("qos").EnsureOk().Stdout);

        lab.RouterdVerb("priority", lab.Phone.Mac, "off").EnsureOk();
        Assert.DoesNotContain(lab.Phone.Mac, lab.NftSet("vip_macs"));

        var malformed = lab.RouterdVerb("priority", "02:00:00:00:01", "on");
        Assert.Equal(1, malformed.ExitCode);
        Assert.Contains("mac:", malformed.Stderr);
        Assert.Equal(3, lab.RouterdVerb("priority", "02:00:00:00:99:99", "on").ExitCode);
        Assert.Equal(2, lab.RouterdVerb("priority", lab.Phone.Mac, "on", "for", "ever").ExitCode);
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
    [InlineData("uploadKbit", 0L)]
    [InlineData("uploadKbit", -1L)]
    [InlineData("uploadKbit", 100_000_001L)]
    [InlineData("downloadKbit", 0L)]
    [InlineData("downloadKbit", 100_000_001L)]
    public async Task Absurd_rates_are_refused_and_nothing_is_applied(string field, long kbit)
    {
        var settings = await api.Settings();
        string stored = settings.ToJsonString(), queues = Queues(), ruleset = lab.Ruleset();
        settings["qos"] = new JsonObject { [field] = kbit };
        using var response = await api.Put("/api/settings", settings);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains($"qos.{field}", await response.Content.ReadAsStringAsync());
        Assert.Equal(stored, (await api.Settings()).ToJsonString());
        Assert.Equal(queues, Queues());
        Assert.Equal(ruleset, lab.Ruleset());
    }

    /// <summary>Every qdisc and class in the router, without counters.</summary>
    string Queues() => lab.RunIn(lab.RouterNs, "tc qdisc show; for d in wan0 br-lan lan1 lan2; do tc class show dev $d; done").EnsureOk().Stdout;

    [Fact]
    public async Task A_device_added_by_mac_before_it_is_seen_can_be_given_priority()
    {
        const string tablet = "02:00:00:00:07:07";
        using (var unknown = await api.Put($"/api/devices/{tablet}/priority", new JsonObject { ["enabled"] = true }))
            Assert.Equal(404, (int)unknown.StatusCode);
        using (var added = await api.Post("/api/devices", new JsonObject { ["mac"] = tablet, ["name"] = "tablet" }))
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        using (var on = await api.Put($"/api/devices/{tablet}/priority", new JsonObject { ["enabled"] = true }))
            Assert.True(on.IsSuccessStatusCode, await on.Content.ReadAsStringAsync());
        Assert.Contains(tablet, lab.NftSet("vip_macs"));
        using (var off = await api.Put($"/api/devices/{tablet}/priority", new JsonObject { ["enabled"] = false }))
            Assert.True(off.IsSuccessStatusCode, await off.Content.ReadAsStringAsync());
        Assert.DoesNotContain(tablet, lab.NftSet("vip_macs"));
    }

    Task Shape() => api.Shape(RateKbit);

    Task Priority(LabClient client, bool on, DateTimeOffset? until = null) => api.Priority(client, on, until);

    async Task<JsonNode> Device(LabClient client) =>
        ((JsonArray)await api.GetJson("/api/devices")).First(d => (string?)d!["mac"] == client.Mac)!;

    async Task<(long Up, long Down)> Traffic(LabClient client) =>
        (await Device(client))["traffic"] is { } t ? (t["uploadBytes"]!.GetValue<long>(), t["downloadBytes"]!.GetValue<long>()) : (0, 0);

    /// <summary>One second of iperf3 from the client (-R: to it): the payload bytes sent and received.</summary>
    (long Sent, long Received) Transfer(LabClient client, string reverse)
    {
        var run = lab.RunIn(client.Namespace, Iperf("-t 1 -b 50M -J", reverse), TimeSpan.FromSeconds(30)).EnsureOk();
        var end = JsonNode.Parse(run.Stdout)!["end"]!;
        return (end["sum_sent"]!["bytes"]!.GetValue<long>(), end["sum_received"]!["bytes"]!.GetValue<long>());
    }

    static string[] Queues(JsonNode qos) =>
        ((JsonArray)qos["queues"]!).Select(q => $"{q!["device"]}:{q["direction"]}").ToArray();

    bool InSet(string set, string element) => Regex.IsMatch(lab.NftSet(set), $@"[{{ ,]\s*{Regex.Escape(element)}\s*[,}}]");

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

    /// <summary>Over 1.5 s the phone's running upload goes through one class only (WAN egress),
    /// as GET /api/qos reports the class counters.</summary>
    async Task AssertFlowIn(bool vip, string when)
    {
        await Task.Delay(500); // packets already queued in the other class drain first
        var (vip0, bulk0) = await ClassBytes("wan0");
        await Task.Delay(1500);
        var (vip1, bulk1) = await ClassBytes("wan0");
        long inLane = vip ? vip1 - vip0 : bulk1 - bulk0, other = vip ? bulk1 - bulk0 : vip1 - vip0;
        Assert.True(inLane > 1_000_000 && other < 100_000, $"{when}: VIP +{vip1 - vip0} B, bulk +{bulk1 - bulk0} B");
    }

    Task<(long Vip, long Bulk)> ClassBytes(string dev) => api.ClassBytes(dev);

    [GeneratedRegex(@"time=([0-9.]+) ms")]
    private static partial Regex RttPattern();
}
