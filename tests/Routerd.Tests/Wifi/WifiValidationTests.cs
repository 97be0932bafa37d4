using Routerd.Core.Settings;
using Routerd.Core.Wifi;
using Xunit;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Wifi;

public class WifiValidationTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], WifiDevice = "wlan0" };
    static RouterSettings Valid => FirstBoot.Settings(Board, _ => "hash");

    static IReadOnlyList<FieldError> Errors(WifiSettings w, Board? board = null) =>
        DesiredStateBuilder.Validate(Valid with { Wifi = w }, board ?? Board, new SystemFacts(null));

    [Fact]
    public void First_boot_has_a_random_key_unless_the_board_prints_one()
    {
        var a = Valid.Wifi.Passphrase!;
        var b = FirstBoot.Settings(Board, _ => "hash").Wifi.Passphrase!;
        Assert.Matches("^[a-z2-9]{4}(-[a-z2-9]{4}){3}$", a);
        Assert.NotEqual(a, b);
        Assert.Empty(Errors(Valid.Wifi));
        var labelled = Board with { Defaults = Board.Defaults with { WifiPassphrase = "label-key-123" } };
        Assert.Equal("label-key-123", FirstBoot.Settings(labelled, _ => "hash").Wifi.Passphrase);
        // Defaults: WPA2, 2.4 GHz on the default channel, visible, radio on.
        var plan = DesiredStateBuilder.Build(Valid, Board, new SystemFacts(null)).Wifi!;
        Assert.Equal((WifiSecurity.Wpa2, WifiBand.Ghz24, 6, false, true), (plan.Security, plan.Band, plan.Channel, plan.Hidden, plan.Enabled));
    }

    [Fact]
    public void Settings_stored_without_a_key_get_one()
    {
        var old = Valid with { Wifi = Valid.Wifi with { Passphrase = null } };
        Assert.Contains(Errors(old.Wifi), e => e.Field == "wifi.passphrase");
        Assert.Empty(Errors(FirstBoot.WithWifiKey(old, Board).Wifi));
    }

    public static TheoryData<string, WifiSettings> Bad() => new()
    {
        { "wifi.ssid", new() { Ssid = "", Passphrase = "12345678" } },
        { "wifi.ssid", new() { Ssid = new string('x', 33), Passphrase = "12345678" } },
        { "wifi.ssid", new() { Ssid = "home\nwpa=0", Passphrase = "12345678" } },
        { "wifi.ssid", new() { Ssid = "home\rx", Passphrase = "12345678" } },
        { "wifi.ssid", new() { Ssid = "a\u0000b", Passphrase = "12345678" } },
        { "wifi.ssid", new() { Ssid = "line\u2028sep", Passphrase = "12345678" } },
        { "wifi.passphrase", new() { Passphrase = null } },
        { "wifi.passphrase", new() { Passphrase = "short" } },
        { "wifi.passphrase", new() { Passphrase = new string('x', 64) } },
        { "wifi.passphrase", new() { Passphrase = "12345678\nwpa=0" } },
        { "wifi.passphrase", new() { Passphrase = "tab\there1" } },
        { "wifi.passphrase", new() { Passphrase = "pässwörd1" } },
        { "wifi.passphrase", new() { Passphrase = new string('a', 64), Security = "wpa3" } },
        { "wifi.security", new() { Passphrase = "12345678", Security = "wep" } },
        { "wifi.security", new() { Passphrase = "12345678", Security = "wpa2\nwpa=0" } },
        { "wifi.country", new() { Passphrase = "12345678", Country = "de" } },
        { "wifi.country", new() { Passphrase = "12345678", Country = "D\n" } },
        { "wifi.band", new() { Passphrase = "12345678", Band = "6" } },
        { "wifi.channel", new() { Passphrase = "12345678", Band = "2.4", Channel = 36 } },
        { "wifi.channel", new() { Passphrase = "12345678", Band = "5", Channel = 52 } },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_values_are_refused_naming_the_field(string field, WifiSettings w)
    {
        var errors = Errors(w);
        Assert.Contains(errors, e => e.Field == field);
        Assert.All(errors, e => Assert.StartsWith("wifi.", e.Field));
    }

    [Theory]
    [InlineData("Café \"Ünter\" \\ 家 😀", "wpa2-wpa3", "5", null)]
    [InlineData("x", "wpa3", "2.4", 13)]
    [InlineData("thirty-two bytes exactly 1234567", "wpa2", "5", 165)]
    public void Good_values_are_accepted(string ssid, string security, string band, int? channel)
    {
        Assert.Empty(Errors(new WifiSettings { Ssid = ssid, Security = security, Band = band, Channel = channel, Passphrase = " spaces and ~!@# " }));
        Assert.Empty(Errors(new WifiSettings { Ssid = ssid, Passphrase = "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff" }));
    }

    [Fact]
    public void A_board_without_radio_needs_no_key_and_renders_no_hostapd_conf()
    {
        var radioless = Board with { WifiDevice = null };
        var s = Valid with { Wifi = Valid.Wifi with { Passphrase = null } };
        Assert.Empty(DesiredStateBuilder.Validate(s, radioless, new SystemFacts(null)));
        Assert.Null(HostapdRenderer.Render(DesiredStateBuilder.Build(s, radioless, new SystemFacts(null))));
    }
}
