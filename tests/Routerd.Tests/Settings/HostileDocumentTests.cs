using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Xunit;

namespace Routerd.Tests.Settings;

/// <summary>Documents a JSON parser takes but a settings document must not be: each is refused
/// naming its field (the web API's 400), never an exception of another kind (a 500).</summary>
public class HostileDocumentTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1", "lan2"] };

    public static TheoryData<string, string> Hostile() => new()
    {
        { """{ "lan": null }""", "lan" },
        { """{ "wifi": null }""", "wifi" },
        { """{ "devices": null }""", "devices" },
        { """{ "wifi": { "ssid": null } }""", "wifi.ssid" },
        { """{ "wan": { "dnsOverride": null } }""", "wan.dnsOverride" },
        { """{ "devices": [null] }""", "devices[0]" },
        { """{ "lan": { "staticLeases": [ { "mac": "02:00:00:00:01:01", "address": "192.168.1.9" }, null ] } }""", "lan.staticLeases[1]" },
        { """{ "wan": { "dnsOverride": ["1.1.1.1", null] } }""", "wan.dnsOverride[1]" },
        { """{ "lan": { "address": "10.0.0.1/24", "address": "192.168.1.1/24" } }""", "lan.address" },
        { """{ "wifi": { "ssid": "a" }, "wifi": { "ssid": "b" } }""", "wifi" },
        { """{ "schemaVersion": -1 }""", "schemaVersion" },
        { """{ "schemaVersion": "2" }""", "schemaVersion" },
        { """{ "schemaVersion": 2.5 }""", "schemaVersion" },
        { """{ "wifi": { "ssid": "\ud800" } }""", "wifi.ssid" },
        { """{ "wifi": { "ssid": "ok\udc00x" } }""", "wifi.ssid" },
        { """{ "qos": { "uploadKbit": "fast" } }""", "qos.uploadKbit" },
        { """{ "lan": [] }""", "lan" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Is_refused_naming_the_field(string json, string field)
    {
        foreach (bool migrate in new[] { true, false })
        {
            if (!migrate && field == "schemaVersion") continue; // a PUT's version is judged by validation
            var e = Assert.Throws<SettingsDocumentException>(() => RouterJson.ReadSettings(json, migrate));
            Assert.Equal(field, e.Field);
        }
    }

    [Fact]
    public void A_put_with_a_negative_schema_version_is_refused_by_validation()
    {
        var s = RouterJson.ReadSettings("""{ "schemaVersion": -1 }""", migrate: false);
        Assert.Contains(DesiredStateBuilder.Validate(s, Board, new SystemFacts(null)), e => e.Field == "schemaVersion");
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{")]
    [InlineData("{} {}")]
    public void Not_a_json_object_is_refused(string json) =>
        Assert.Throws<SettingsDocumentException>(() => RouterJson.ReadSettings(json));

    static RouterSettings Valid => FirstBoot.Settings(Board, _ => "hash");

    public static TheoryData<string, Func<RouterSettings, RouterSettings>> BadCombinations() => new()
    {
        // A WAN port the board does not have (the loopback is an interface, not a port).
        { "wan.device", s => s with { Wan = s.Wan with { Device = "lo" } } },
        // The static block is kept while in DHCP mode: it is checked all the same.
        { "wan.static.address", s => s with { Wan = s.Wan with { Static = new() { Address = "not-an-address", Gateway = "203.0.113.1" } } } },
        { "wan.static.gateway", s => s with { Wan = s.Wan with { Static = new() { Address = "203.0.113.2/24", Gateway = "198.51.100.1" } } } },
        { "wan.pppoe.mtu", s => s with { Wan = s.Wan with { Pppoe = new() { Username = "u", Password = "p", Mtu = 9000 } } } },
        { "wan.pppoe.username", s => s with { Wan = s.Wan with { Pppoe = new() { Username = "u\nplugin evil.so" } } } },
        // The LAN and a static WAN in one subnet.
        { "wan.static.address", s => s with { Wan = s.Wan with { Mode = "static", Static = new() { Address = "192.168.1.77/16", Gateway = "192.168.0.1" } } } },
        { "devices", s => s with { Devices = Enumerable.Range(0, DesiredStateBuilder.MaxDevices + 1).Select(i => new DeviceSettings { Mac = $"02:00:00:00:{i / 256:x2}:{i % 256:x2}" }).ToList() } },
    };

    [Theory]
    [MemberData(nameof(BadCombinations))]
    public void Bad_combinations_are_refused_naming_the_field(string field, Func<RouterSettings, RouterSettings> change)
    {
        var errors = DesiredStateBuilder.Validate(change(Valid), Board, new SystemFacts(null));
        Assert.Contains(errors, e => e.Field == field);
    }

    [Fact]
    public void An_inactive_pppoe_block_may_have_an_empty_account()
    {
        var s = Valid with { Wan = Valid.Wan with { Pppoe = new PppoeSettings() } };
        Assert.Empty(DesiredStateBuilder.Validate(s, Board, new SystemFacts(null)));
    }
}
