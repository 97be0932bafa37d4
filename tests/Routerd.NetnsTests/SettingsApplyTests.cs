using System.Net;
using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>Settings changes through the API against the real kernel and dnsmasq: idempotent
/// re-apply, leases that survive a pool change, refusals that change nothing, and dnsmasq's
/// supervision.</summary>
public sealed class SettingsApplyTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;

    [Fact]
    public async Task Reapplying_identical_settings_changes_neither_the_ruleset_nor_dnsmasq()
    {
        string ruleset = lab.Ruleset();
        int dnsmasq = lab.DnsmasqPid();
        var settings = await api.Settings();

        using var response = await api.Put("/api/settings", settings);

        Assert.True(response.IsSuccessStatusCode, $"PUT → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(ruleset, lab.Ruleset());
        Assert.Equal(dnsmasq, lab.DnsmasqPid());
        Assert.Equal(settings.ToJsonString(), (await api.Settings()).ToJsonString());
    }

    [Fact]
    public async Task Changing_the_dhcp_pool_keeps_existing_leases()
    {
        var before = lab.LeaseOf(lab.Phone)!;
        var settings = await api.Settings();
        // Widen the pool downwards: every existing lease stays inside it, but the config changes.
        string newStart = (string)settings["lan"]!["dhcp"]!["start"]! == "192.168.1.50" ? "192.168.1.60" : "192.168.1.50";
        settings["lan"]!["dhcp"]!["start"] = newStart;

        using var response = await api.Put("/api/settings", settings);

        Assert.True(response.IsSuccessStatusCode, $"PUT → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await lab.WaitFor(() => File.ReadAllText(Path.Combine(lab.RunDir, "dnsmasq.conf")).Contains($"dhcp-range={newStart},"),
            TimeSpan.FromSeconds(5), "dnsmasq.conf to carry the new pool");
        // dnsmasq (restarted or not) still knows the lease, and hands the phone the same address on renewal.
        await lab.WaitFor(() => lab.DnsmasqPid() > 0, TimeSpan.FromSeconds(5), "dnsmasq to run");
        Assert.Contains($"{lab.Phone.Mac} {before.Address} ", lab.RouterLeases());
        lab.RenewLease(lab.Phone);
        await lab.WaitFor(() => lab.LeaseOf(lab.Phone)!.Count > before.Count, TimeSpan.FromSeconds(15), "the phone to renew its lease");
        Assert.Equal(before.Address, lab.LeaseOf(lab.Phone)!.Address);
        Assert.True(lab.FetchHello(lab.Phone).Ok, "the phone must still reach the internet");
    }

    [Fact]
    public async Task A_killed_dnsmasq_runs_again_within_two_seconds()
    {
        int old = lab.DnsmasqPid();
        var killed = System.Diagnostics.Stopwatch.StartNew();
        lab.RunIn(lab.RouterNs, $"kill -KILL {old}").EnsureOk();

        await lab.WaitFor(() => lab.PidsOf(lab.RouterNs, "dnsmasq") is [var pid] && pid != old, TimeSpan.FromSeconds(5), "a new dnsmasq");

        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(2), $"dnsmasq came back after {killed.Elapsed.TotalSeconds:0.00} s");
    }

    public static TheoryData<string, string, string> BadSettings => new()
    {
        // name, JSON merged into the current settings, the field the refusal must name
        { "LAN and WAN subnets overlap", """{"wan":{"mode":"static","device":"wan0","static":{"address":"192.168.1.50/24","gateway":"192.168.1.254","dns":["192.168.1.254"]}}}""", "wan.static.address" },
        { "DHCP pool outside the LAN subnet", """{"lan":{"dhcp":{"start":"10.0.0.100","end":"10.0.0.200"}}}""", "lan.dhcp.start" },
        { "invalid MAC in a static lease", """{"lan":{"staticLeases":[{"mac":"02:00:00:zz:01:01","address":"192.168.1.20"}]}}""", "lan.staticLeases[0].mac" },
        { "WAN interface that does not exist", """{"wan":{"device":"nosuch0"}}""", "wan.device" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Bad_settings_are_refused_naming_the_field_and_nothing_is_applied(string why, string change, string field)
    {
        string ruleset = lab.Ruleset();
        int dnsmasq = lab.DnsmasqPid();
        var settings = await api.Settings();
        string stored = settings.ToJsonString();

        using var response = await api.Put("/api/settings", Merge(settings.DeepClone(), JsonNode.Parse(change)!));

        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: PUT → {(int)response.StatusCode}: {body}");
        var fields = (JsonNode.Parse(body, RouterdApi.NodeOptions)?["errors"] as JsonArray ?? [])
            .Select(e => (string?)e?["field"]).ToList();
        Assert.True(fields.Contains(field), $"{why}: the refusal must name {field}: {body}");
        Assert.Equal(ruleset, lab.Ruleset());
        Assert.Equal(dnsmasq, lab.DnsmasqPid());
        Assert.Equal(stored, (await api.Settings()).ToJsonString());
    }

    /// <summary>Writes every value of <paramref name="change"/> into <paramref name="target"/>, object by object.</summary>
    static JsonNode Merge(JsonNode target, JsonNode change)
    {
        foreach (var (key, value) in change.AsObject())
        {
            if (value is JsonObject inner && target[key] is JsonObject existing) Merge(existing, inner);
            else target[key] = value?.DeepClone();
        }
        return target;
    }
}
