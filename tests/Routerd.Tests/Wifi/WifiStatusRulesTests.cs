using Routerd.Core.Wifi;
using Xunit;

namespace Routerd.Tests.Wifi;

/// <summary>The Wi-Fi status decisions, without hostapd: what the adapter saw in, the status out.</summary>
public class WifiStatusRulesTests
{
    static readonly HostapdConfig On = new("wlan0", "/run/r/hostapd", true, "home", "ssid2=686f6d65\n", "key");
    static Dictionary<string, string> Fields(string state, string ssid) => new() { ["state"] = state, ["ssid[0]"] = ssid };

    [Fact]
    public void An_apply_is_applying_off_or_no_radio()
    {
        Assert.Equal(WifiStatus.Applying, WifiStatusRules.Applied(On).Code);
        Assert.Equal(WifiStatus.Off, WifiStatusRules.Applied(On with { Enabled = false }).Code);
        Assert.Same(WifiStatus.NoRadio, WifiStatusRules.Applied(null));
    }

    [Fact]
    public void Up_only_with_exactly_the_ssid_just_written()
    {
        Assert.Equal(new WifiStatus(WifiStatus.Up, true, true), WifiStatusRules.Reported(Fields("ENABLED", "home"), "home"));
        Assert.Equal(new WifiStatus(WifiStatus.Applying, true, false, "hostapd state ENABLED"), WifiStatusRules.Reported(Fields("ENABLED", "old"), "home"));
        Assert.Equal("hostapd state COUNTRY_UPDATE", WifiStatusRules.Reported(Fields("COUNTRY_UPDATE", "home"), "home").Message);
    }

    [Fact]
    public void Failed_only_when_hostapd_is_gone_and_then_with_its_own_words()
    {
        var up = new WifiStatus(WifiStatus.Up, true, true);
        Assert.Same(up, WifiStatusRules.Unreachable(up, enabled: true, pid: 42, checkedPid: 42, lastError: null)); // slow, not failed
        Assert.Equal(WifiStatus.Applying, WifiStatusRules.Unreachable(up, true, 43, 42, null).Code); // restarted: not verified yet
        var failed = WifiStatusRules.Unreachable(up, true, null, 42, "Line 3: invalid channel");
        Assert.Equal((WifiStatus.Failed, "Line 3: invalid channel"), (failed.Code, failed.Message));
        Assert.Equal("could not configure driver", WifiStatusRules.Shown(failed, "could not configure driver").Message);
        Assert.Same(up, WifiStatusRules.Shown(up, "could not configure driver"));
    }

    [Theory]
    [InlineData("wlan0: interface state UNINITIALIZED->ENABLED", false)]
    [InlineData("Line 12: invalid wpa_passphrase", true)]
    [InlineData("nl80211: Could not configure driver mode", true)]
    public void Only_error_lines_become_the_reason(string line, bool error) =>
        Assert.Equal(error, WifiStatusRules.ErrorLine(line) is not null);
}
