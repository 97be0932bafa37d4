using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>The log viewer on the real router (issue 23): with a PPPoE password and a Wi-Fi key
/// set, and both written into dnsmasq's own log by devices that chose them as DHCP hostnames, no
/// log answer (any source, any level, the download) holds either; the lines are there, hidden.</summary>
public sealed class LogViewerTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    const string PppoePassword = "Zq8-PppoeSecret-41", WifiKey = "Kq7-ZebraLamp-93";
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;

    async Task<string> Text(string path)
    {
        using var response = await api.Get(path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} → {(int)response.StatusCode}: {body}");
        return body;
    }

    [Fact]
    public async Task Neither_the_pppoe_password_nor_the_wifi_key_appears_in_any_log_answer()
    {
        var settings = await api.GetJson("/api/settings");
        // The PPPoE account is stored while the WAN stays on DHCP: the lab's WAN keeps working.
        settings["wan"]!["pppoe"] = new JsonObject { ["username"] = "owner@isp.test", ["password"] = PppoePassword };
        settings["wifi"]!["passphrase"] = WifiKey;
        using (var put = await api.Put("/api/settings", settings))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        // Two requests from the phone's MAC with the secrets as hostnames: dnsmasq logs each DHCPACK with it.
        foreach (var name in new[] { PppoePassword, WifiKey })
            lab.RunIn(lab.Phone.Namespace, $"udhcpc -i eth0 -n -q -t 3 -T 1 -s /bin/true -x hostname:{name}").EnsureOk();
        string raw = Path.Combine(lab.LogDir, "dnsmasq.log");
        await lab.WaitFor(() => File.Exists(raw) && File.ReadAllText(raw) is var t && t.Contains(PppoePassword) && t.Contains(WifiKey),
            TimeSpan.FromSeconds(10), "dnsmasq to log both hostnames (the secrets are really in a log file)");

        var answers = new List<(string Path, string Body)>();
        foreach (var path in new[] { "/api/logs?lines=1000", "/api/logs?source=dnsmasq", "/api/logs?source=routerd,pppd,hostapd&level=info",
                     "/api/logs?level=warning", "/api/logs/download", "/api/logs/download?source=dnsmasq&lines=5000" })
            answers.Add((path, await Text(path)));
        foreach (var (path, body) in answers)
        {
            Assert.False(body.Contains(PppoePassword, StringComparison.Ordinal), $"{path} shows the PPPoE password");
            Assert.False(body.Contains(WifiKey, StringComparison.Ordinal), $"{path} shows the Wi-Fi key");
        }
        var dnsmasq = JsonNode.Parse(answers[1].Body)!;
        var hidden = ((JsonArray)dnsmasq["lines"]!).Select(l => (string?)l!["text"]).Where(t => t!.Contains("DHCPACK(br-lan)", StringComparison.Ordinal) && t.EndsWith("[hidden]", StringComparison.Ordinal)).ToList();
        Assert.True(hidden.Count >= 2, "the DHCPACK lines are shown with the secret hidden: " + answers[1].Body);
        Assert.All((JsonArray)dnsmasq["lines"]!, l => Assert.Equal("dnsmasq", (string?)l!["source"]));
        // routerd's own lines are there (it logged its start).
        Assert.Contains("routerd ready on board", answers[0].Body);
        Assert.Matches(@"Z dnsmasq info dnsmasq-dhcp\[\d+\]: DHCPACK\(br-lan\) \S+ \S+ \[hidden\]\n", answers[5].Body);
    }

    [Fact]
    public async Task A_wrong_filter_is_refused_naming_it()
    {
        using var response = await api.Get("/api/logs?source=kernel&level=debug&lines=abc");
        Assert.Equal(400, (int)response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(["lines", "source", "level"], ((JsonArray)body["errors"]!).Select(e => (string?)e!["field"]));
    }

    [Fact]
    public async Task The_time_zone_is_checked_against_the_systems_and_the_clock_is_reported_as_it_is()
    {
        var time = await api.GetJson("/api/time");
        Assert.Equal("UTC", (string?)time["zone"]);
        // No time service runs in the lab's namespaces: the status says so rather than "synchronised".
        Assert.False((bool)time["clock"]!["serviceRunning"]!);
        Assert.StartsWith("No time service runs on this router", (string?)time["summary"]);
        Assert.Contains("Europe/Berlin", ((JsonArray)time["zones"]!).Select(z => (string?)z));

        var settings = await api.GetJson("/api/settings");
        settings["time"] = new JsonObject { ["zone"] = "Mars/Olympus_Mons" };
        using (var refused = await api.Put("/api/settings", settings))
        {
            Assert.Equal(400, (int)refused.StatusCode);
            var body = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
            Assert.Equal("time.zone", (string?)body["errors"]![0]!["field"]);
        }
        settings["time"] = new JsonObject { ["zone"] = "Asia/Kolkata" };
        using (var put = await api.Put("/api/settings", settings))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        time = await api.GetJson("/api/time");
        Assert.Equal(("Asia/Kolkata", "+05:30"), ((string?)time["zone"], (string?)time["offset"]));
        var local = DateTime.ParseExact((string)time["localTime"]!, "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        var expected = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromMinutes(330)).DateTime;
        Assert.True(Math.Abs((local - expected).TotalSeconds) < 30, $"router time {local}, expected about {expected}");
    }
}
