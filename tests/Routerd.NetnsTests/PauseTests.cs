using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>Pausing a device on the real kernel: the paused phone reaches nothing on the internet
/// (a running download stops, a new connection is refused, a port forward to it is closed) but
/// still gets DNS, the router's web UI and the laptop; resumed, it reaches the internet at once.</summary>
public sealed partial class PauseTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;

    [Fact]
    public async Task A_paused_device_is_off_the_internet_but_on_the_lan_and_back_within_one_toggle()
    {
        lab.FetchHello(lab.Phone).EnsureOk();
        string laptop = lab.LeaseOf(lab.Laptop)!.Address;
        // A download from the internet host, running before the pause: its per-interval report shows it stop.
        using var download = lab.StartIn(lab.Phone.Namespace,
            $"timeout 25 iperf3 -c {LabAddresses.InternetHost} -p {LabAddresses.IperfPort} --connect-timeout 3000 -R -b 20M -t 9 -i 0.5 --forceflush", "phone-download");
        await lab.WaitFor(() => Intervals(download.Stdout).Count(b => b > 0) >= 3, TimeSpan.FromSeconds(10), "the download to run");

        var paused = await Pause(lab.Phone, new JsonObject { ["paused"] = true });
        try
        {
        Assert.True(paused["paused"]!.GetValue<bool>());
        Assert.Equal("owner", (string?)paused["pausedBy"]);
        Assert.Contains(lab.Phone.Mac, lab.NftSet("pause_macs"));
        int before = Intervals(download.Stdout).Count;

        var refused = lab.FetchHello(lab.Phone);
        Assert.True(refused.ExitCode != 0, $"the paused phone fetched from the internet: {refused.Stdout}");
        // Still on the LAN: the router's web UI, its DNS, the laptop.
        Assert.Equal("200", lab.RunIn(lab.Phone.Namespace, $"curl -s -o /dev/null --max-time 5 -w '%{{http_code}}' http://{LabAddresses.RouterLan}/").Stdout.Trim());
        // The router's resolver answers it (its own name; the router's DNS is on the LAN side).
        var dns = lab.RunIn(lab.Phone.Namespace, $"timeout 4 busybox nslookup -type=a router.lan {LabAddresses.RouterLan}");
        Assert.True(dns.Ok && Regex.IsMatch(dns.Stdout, @"Name:\s+router\.lan"), $"router.lan: {dns.Stdout}{dns.Stderr}");
        lab.RunIn(lab.Phone.Namespace, $"ping -n -c 1 -W 2 {laptop}").EnsureOk();
        // Only the phone: the laptop's internet is untouched.
        lab.FetchHello(lab.Laptop).EnsureOk();

        await Task.Delay(2500);
        var during = Intervals(download.Stdout).Skip(before + 1).ToList(); // the interval the pause fell in may have some
        Assert.True(during.Count >= 3 && during.All(b => b == 0),
            $"the running download did not stop while paused: intervals {string.Join(", ", during)}\n{download.Stdout}");

        }
        finally
        {
            if (lab.NftSet("pause_macs").Contains(lab.Phone.Mac)) await Pause(lab.Phone, new JsonObject { ["paused"] = false });
        }
        var resumed = await Pause(lab.Phone, new JsonObject { ["paused"] = false });
        Assert.False(resumed["paused"]!.GetValue<bool>());
        Assert.DoesNotContain(lab.Phone.Mac, lab.NftSet("pause_macs"));
        // At the first try: the toggle's answer comes once the sets are applied.
        var back = lab.FetchHello(lab.Phone);
        Assert.True(back.ExitCode == 0 && back.Stdout.Contains(LabAddresses.HelloText), $"resumed, the phone could not fetch: {back.Stdout}{back.Stderr}");
        download.WaitForExit(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_pause_until_a_time_ends_by_itself_and_the_device_list_says_until_when()
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(4);
        var paused = await Pause(lab.Laptop, new JsonObject { ["paused"] = true, ["until"] = until.ToString("O", CultureInfo.InvariantCulture) });
        Assert.Equal(until, DateTimeOffset.Parse((string)paused["pausedUntil"]!, CultureInfo.InvariantCulture));
        var listed = ((JsonArray)await api.GetJson("/api/devices")).First(d => (string?)d!["mac"] == lab.Laptop.Mac)!;
        Assert.True(listed["paused"]!.GetValue<bool>());
        Assert.NotEqual(0, lab.FetchHello(lab.Laptop).ExitCode);
        await lab.WaitFor(async () => ((JsonArray)await api.GetJson("/api/devices")).First(d => (string?)d!["mac"] == lab.Laptop.Mac)!["paused"]!.GetValue<bool>() == false,
            TimeSpan.FromSeconds(15), "the laptop's pause to end by itself");
        Assert.DoesNotContain(lab.Laptop.Mac, lab.NftSet("pause_macs"));
        lab.FetchHello(lab.Laptop).EnsureOk();
    }

    [Fact]
    public async Task A_port_forward_to_a_paused_device_is_closed_while_it_is_paused()
    {
        const int service = 7201;
        using var listener = lab.StartIn(lab.Phone.Namespace, $"socat TCP-LISTEN:{service},reuseaddr,fork SYSTEM:'echo phone'", "phone-service");
        await lab.WaitFor(() => lab.RunIn(lab.Phone.Namespace, $"ss -Htln 'sport = :{service}'").Stdout.Contains("LISTEN"), TimeSpan.FromSeconds(5), "the phone's service");
        using (var post = await api.Post("/api/forwards", new JsonObject { ["protocol"] = "tcp", ["wanPort"] = 8201, ["mac"] = lab.Phone.Mac, ["lanPort"] = service }))
            Assert.True((int)post.StatusCode == 201, await post.Content.ReadAsStringAsync());
        string Ask() => lab.RunIn(lab.IspNs, $"timeout 5 socat -T 2 - TCP:{lab.WanIp()}:8201,bind={LabAddresses.InternetHost},connect-timeout=2 </dev/null").Stdout.Trim();
        await lab.WaitFor(() => Ask() == "phone", TimeSpan.FromSeconds(10), "the forward to answer");
        await Pause(lab.Phone, new JsonObject { ["paused"] = true });
        try { Assert.Equal("", Ask()); }
        finally { await Pause(lab.Phone, new JsonObject { ["paused"] = false }); }
        Assert.Equal("phone", Ask());
    }

    [Theory]
    [InlineData("""{"paused":true,"until":"2001-01-01T00:00:00Z"}""", "until")]
    [InlineData("""{"schedule":[{"days":["mon","someday"],"from":"21:00","to":"07:00"}]}""", "schedule[0].days[1]")]
    [InlineData("""{"schedule":[{"days":["mon"],"from":"9pm","to":"07:00"}]}""", "schedule[0].from")]
    [InlineData("""{"schedule":[{"days":[],"from":"21:00","to":"21:00"}]}""", "schedule[0].to")]
    public async Task Bad_pause_requests_are_refused_naming_the_field_and_nothing_changes(string body, string field)
    {
        string ruleset = lab.Ruleset(), stored = (await api.Settings()).ToJsonString();
        using var response = await api.Put($"/api/devices/{lab.Phone.Mac}/pause", JsonNode.Parse(body)!);
        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains($"\"field\": \"{field}\"", text);
        Assert.Equal(ruleset, lab.Ruleset());
        Assert.Equal(stored, (await api.Settings()).ToJsonString());
    }

    async Task<JsonNode> Pause(LabClient client, JsonObject body)
    {
        using var response = await api.Put($"/api/devices/{client.Mac}/pause", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"pause {client.Name} {body.ToJsonString()} → {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>The bytes of each interval iperf3 reported so far (its receiver side: -R).</summary>
    internal static List<double> Intervals(string iperf) =>
        IntervalPattern().Matches(iperf).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * (m.Groups[2].Value switch
        {
            "K" => 1e3, "M" => 1e6, "G" => 1e9, _ => 1,
        })).ToList();

    [GeneratedRegex(@"(?m)^\[\s*\d+\]\s+[\d.]+-[\d.]+\s+sec\s+([\d.]+) ([KMG]?)Bytes\s+[\d.]+ [KMG]?bits/sec\s*$")]
    private static partial Regex IntervalPattern();
}

/// <summary>routerd with a clock the test moves forward (board TestClock): a weekly schedule
/// pauses the phone when its window starts and resumes it when the window ends.</summary>
public sealed class PauseScheduleFixture : LabFixture
{
    protected override LabOptions Options => new() { RouterdArgs = ["--TestClock=true"] };
}

public sealed class PauseScheduleTests(PauseScheduleFixture fixture) : IClassFixture<PauseScheduleFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;

    [Fact]
    public async Task A_schedule_driven_by_the_clock_blocks_and_unblocks()
    {
        // A window a few minutes ahead in router time (the settings' time zone: UTC unless the
        // owner chose one), two minutes long; the clock is moved to its start and to its end.
        var zone = TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone);
        var start = new DateTimeOffset(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, local.Offset).AddMinutes(3);
        start = TimeZoneInfo.ConvertTime(start, zone);
        var end = TimeZoneInfo.ConvertTime(start.AddMinutes(2), zone);
        string day = start.DayOfWeek.ToString()[..3].ToLowerInvariant();
        var window = new JsonObject { ["days"] = new JsonArray(day), ["from"] = start.ToString("HH:mm", CultureInfo.InvariantCulture), ["to"] = end.ToString("HH:mm", CultureInfo.InvariantCulture) };
        using (var put = await api.Put($"/api/devices/{lab.Phone.Mac}/pause", new JsonObject { ["schedule"] = new JsonArray(window) }))
        {
            string text = await put.Content.ReadAsStringAsync();
            Assert.True(put.IsSuccessStatusCode, text);
            Assert.False(JsonNode.Parse(text)!["paused"]!.GetValue<bool>());
        }
        lab.FetchHello(lab.Phone).EnsureOk();

        await MoveClock(start);
        Assert.Contains(lab.Phone.Mac, lab.NftSet("pause_macs"));
        Assert.NotEqual(0, lab.FetchHello(lab.Phone).ExitCode);
        var phone = await Device();
        Assert.True(phone["paused"]!.GetValue<bool>());
        Assert.Equal("schedule", (string?)phone["pausedBy"]);
        Assert.Equal(end, DateTimeOffset.Parse((string)phone["pausedUntil"]!, CultureInfo.InvariantCulture));
        lab.FetchHello(lab.Laptop).EnsureOk();

        await MoveClock(end);
        Assert.DoesNotContain(lab.Phone.Mac, lab.NftSet("pause_macs"));
        Assert.False((await Device())["paused"]!.GetValue<bool>());
        lab.FetchHello(lab.Phone).EnsureOk();

        using var clear = await api.Put($"/api/devices/{lab.Phone.Mac}/pause", new JsonObject { ["schedule"] = new JsonArray() });
        Assert.True(clear.IsSuccessStatusCode, await clear.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_clock_cannot_be_moved_over_tcp_or_backwards()
    {
        using (var response = await api.Post("/internal/clock", new JsonObject { ["now"] = "2001-01-01T00:00:00Z" }))
        {
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var now = DateTimeOffset.Parse((string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["now"]!, CultureInfo.InvariantCulture);
            Assert.True(now > DateTimeOffset.UtcNow.AddMinutes(-1), $"the clock went back to {now}");
        }
        var tcp = lab.RunIn(lab.Phone.Namespace,
            $"curl -s -o /dev/null --max-time 5 -w '%{{http_code}}' -X POST -H 'Content-Type: application/json' -d '{{\"now\":\"2099-01-01T00:00:00Z\"}}' http://{LabAddresses.RouterLan}/internal/clock");
        Assert.Equal("403", tcp.Stdout.Trim());
    }

    async Task MoveClock(DateTimeOffset to)
    {
        using var response = await api.Post("/internal/clock", new JsonObject { ["now"] = to.ToString("O", CultureInfo.InvariantCulture) });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    async Task<JsonNode> Device() =>
        ((JsonArray)await api.GetJson("/api/devices")).First(d => (string?)d!["mac"] == lab.Phone.Mac)!;
}
