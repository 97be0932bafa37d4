using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>A router without a radio (this kernel has no wireless at all) runs everything else
/// and says so, instead of failing; wired devices are listed as wired.</summary>
public sealed class WifiNoRadioTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    [Fact]
    public async Task Status_says_no_radio_and_settings_keep_the_key_secret()
    {
        var status = await fixture.Api.GetJson("/api/status");
        var wifi = status["wifi"]!;
        Assert.Equal("wifi/NO_RADIO", (string?)wifi["code"]);
        Assert.False((bool)wifi["radio"]!);
        Assert.False((bool)wifi["live"]!);

        var settings = await fixture.Api.GetJson("/api/settings");
        Assert.Null(settings["wifi"]!["passphrase"]);

        // Still validated without a radio: a newline in the SSID is refused naming the field.
        var bad = settings.DeepClone();
        bad["wifi"]!["ssid"] = "home\nwpa=0";
        var answer = await fixture.Api.Put("/api/settings", bad);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("wifi.ssid", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Wired_devices_are_listed_as_wired()
    {
        Assert.True(fixture.Lab.FetchHello(fixture.Lab.Phone).Ok);
        var devices = (await fixture.Api.GetJson("/api/devices")).AsArray();
        var phone = devices.Single(d => (string?)d!["mac"] == fixture.Lab.Phone.Mac);
        Assert.Equal("wired", (string?)phone!["connection"]);
    }
}
