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
    public void With_the_guest_network_on_up_only_when_its_bss_runs_the_guest_ssid_too()
    {
        var both = new Dictionary<string, string> { ["state"] = "ENABLED", ["ssid[0]"] = "home", ["ssid[1]"] = "visitors" };
        Assert.True(WifiStatusRules.Reported(both, "home", "visitors").Live);
        Assert.False(WifiStatusRules.Reported(Fields("ENABLED", "home"), "home", "visitors").Live);   // no second BSS yet
        Assert.False(WifiStatusRules.Reported(both, "home", "guests").Live);                          // the old guest name
        Assert.True(WifiStatusRules.Reported(both, "home").Live);                                      // off: ssid[1] is not asked about
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

    [Fact]
    public void The_state_follows_the_reports_in_order_and_ignores_stale_answers()
    {
        var s = WifiState.NoRadio.Next(new WifiApplied(On, Restarted: true));
        Assert.Equal(WifiStatus.Applying, s.Shown.Code);

        // An answer about an older apply's settings says nothing about these.
        var older = On with { Ssid = "old" };
        Assert.Same(s, s.Next(new WifiAnswered(older, Fields("ENABLED", "old"), "old", 5)));

        s = s.Next(new WifiErrorLine("Line 3: invalid channel"));
        s = s.Next(new WifiAnswered(On, Fields("ENABLED", "home"), "home", 5));
        Assert.Equal(new WifiStatus(WifiStatus.Up, true, true), s.Shown);
        Assert.Null(s.LastError); // live: the old error line is no reason any more

        Assert.Equal(WifiStatus.Up, s.Next(new WifiUnreachable(5)).Shown.Code); // slow, the same process
        Assert.Equal(WifiStatus.Applying, s.Next(new WifiUnreachable(6)).Shown.Code); // restarted, not checked yet
        var failed = s.Next(new WifiUnreachable(null)).Next(new WifiErrorLine("could not configure driver"));
        Assert.Equal(new WifiStatus(WifiStatus.Failed, true, false, "could not configure driver"), failed.Shown);

        // A reload keeps the error line until hostapd answers; a restart forgets it.
        Assert.Equal("could not configure driver", failed.Next(new WifiApplied(On, Restarted: false)).LastError);
        Assert.Null(failed.Next(new WifiApplied(On, Restarted: true)).LastError);
        Assert.Equal(WifiStatus.Off, failed.Next(new WifiApplied(On with { Enabled = false }, false)).Shown.Code);
    }
}
