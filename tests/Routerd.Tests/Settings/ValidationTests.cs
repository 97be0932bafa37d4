using Routerd.Core.Settings;
using Xunit;
using Routerd.Core.Net;
using Routerd.Core.Qos;

namespace Routerd.Tests.Settings;

public class ValidationTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1", "lan2"] };
    static readonly SystemFacts Facts = new(new HashSet<string> { "lo", "wan0", "lan1", "lan2", "br-lan" });
    static RouterSettings Valid => FirstBoot.Settings(Board, _ => "hash");

    static IReadOnlyList<FieldError> Errors(RouterSettings s) => DesiredStateBuilder.Validate(s, Board, Facts);

    [Fact]
    public void First_boot_settings_are_valid_and_follow_the_board()
    {
        Assert.Empty(Errors(Valid));
        var state = DesiredStateBuilder.Build(Valid, Board, Facts);
        Assert.Equal("192.168.1.1/24", state.Lan.Address.ToString());
        Assert.Equal(["lan1", "lan2"], state.Lan.Ports);
        Assert.Equal(43200, state.Lan.Dhcp!.LeaseSeconds);
        Assert.Equal("dhcp", state.Wan.Mode);
        Assert.True(Valid.Admin.MustChangePassword);
    }

    public static TheoryData<string, Func<RouterSettings, RouterSettings>> BadSettings() => new()
    {
        { "wan.static.address", s => s with { Wan = new WanSettings { Mode = "static", Device = "wan0", Static = new() { Address = "192.168.1.2/24", Gateway = "192.168.1.254" } } } },
        { "lan.dhcp.start", s => s with { Lan = s.Lan with { Dhcp = s.Lan.Dhcp with { Start = "10.0.0.5" } } } },
        { "lan.dhcp.end", s => s with { Lan = s.Lan with { Dhcp = s.Lan.Dhcp with { End = "192.168.1.50" } } } },
        { "lan.dhcp.start", s => s with { Lan = s.Lan with { Dhcp = s.Lan.Dhcp with { Start = "192.168.1.1" } } } },
        { "lan.dhcp.leaseSeconds", s => s with { Lan = s.Lan with { Dhcp = s.Lan.Dhcp with { LeaseSeconds = 5 } } } },
        { "lan.staticLeases[0].mac", s => s with { Lan = s.Lan with { StaticLeases = [new() { Mac = "02:00:00:00:01:zz", Address = "192.168.1.20" }] } } },
        { "lan.staticLeases[0].mac", s => s with { Lan = s.Lan with { StaticLeases = [new() { Mac = "01:00:5e:00:00:01", Address = "192.168.1.20" }] } } },
        { "lan.staticLeases[1].address", s => s with { Lan = s.Lan with { StaticLeases = [new() { Mac = "02:00:00:00:01:01", Address = "192.168.1.20" }, new() { Mac = "02:00:00:00:01:02", Address = "192.168.1.20" }] } } },
        { "lan.staticLeases[0].hostname", s => s with { Lan = s.Lan with { StaticLeases = [new() { Mac = "02:00:00:00:01:01", Address = "192.168.1.20", Hostname = "phone\naddress=/x/1.2.3.4" }] } } },
        { "wan.device", s => s with { Wan = s.Wan with { Device = "eth9" } } },
        { "wan.device", s => s with { Wan = s.Wan with { Device = "lan1" } } },
        { "wan.device", s => s with { Wan = s.Wan with { Device = "wan0 up; reboot" } } },
        { "lan.ports[1]", s => s with { Lan = s.Lan with { Ports = ["lan1", "nope0"] } } },
        { "lan.address", s => s with { Lan = s.Lan with { Address = "192.168.1.0/24" } } },
        { "lan.address", s => s with { Lan = s.Lan with { Address = "192.168.1.1" } } },
        { "wan.mode", s => s with { Wan = s.Wan with { Mode = "carrier-pigeon" } } },
        { "wan.dnsOverride[0]", s => s with { Wan = s.Wan with { DnsOverride = ["8.8.8.8\nserver=6.6.6.6"] } } },
        { "wan.pppoe.password", s => s with { Wan = s.Wan with { Mode = "pppoe", Pppoe = new() { Username = "u", Password = "a\nb" } } } },
        { "wifi.ssid", s => s with { Wifi = s.Wifi with { Ssid = "home\nwpa=0" } } },
        { "wifi.ssid", s => s with { Wifi = s.Wifi with { Ssid = new string('x', 33) } } },
        { "wifi.passphrase", s => s with { Wifi = s.Wifi with { Passphrase = "short" } } },
        { "schemaVersion", s => s with { SchemaVersion = 99 } },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Bad_values_are_refused_naming_the_field(string field, Func<RouterSettings, RouterSettings> change)
    {
        var errors = Errors(change(Valid));
        Assert.Contains(errors, e => e.Field == field);
        var ex = Assert.Throws<SettingsRejectedException>(() => DesiredStateBuilder.Build(change(Valid), Board, Facts));
        Assert.Contains(field, ex.Message);
    }

    [Fact]
    public void Unicode_ssid_of_32_bytes_is_accepted_and_33_bytes_refused()
    {
        Assert.Empty(Errors(Valid with { Wifi = Valid.Wifi with { Ssid = "Café \"quotes\" \\ 家 😀 ok" } }));
        Assert.Contains(Errors(Valid with { Wifi = Valid.Wifi with { Ssid = new string('é', 17) } }), e => e.Field == "wifi.ssid");
    }

    [Fact]
    public void Interface_existence_is_not_checked_without_facts()
    {
        var s = Valid with { Wan = Valid.Wan with { Device = "eth9" } };
        Assert.Empty(DesiredStateBuilder.Validate(s, Board with { WanDevice = "eth9" }, new SystemFacts(null)));
    }
}
