using Routerd.Core.Logs;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Diagnostics;

/// <summary>The log viewer's pure parts: levels of routerd's and the daemons' lines, the filter,
/// the bound on lines and length, the ring of routerd's own lines, and secrets replaced everywhere.</summary>
public class LogTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 3, 11, 0, 0, TimeSpan.Zero);

    static LogQuery Query(string? source = null, string? level = null, int? lines = null)
    {
        var errors = new List<FieldError>();
        var q = LogRules.Check(source, level, lines, LogRules.MaxLines, errors);
        Assert.Empty(errors);
        return q!;
    }

    [Fact]
    public void Routerd_lines_keep_their_label_and_daemon_lines_are_levelled_by_their_words()
    {
        var warn = LogRules.Routerd(T0, "11:00:00.000 warn: Routerd.Core.Loop.Router[3] pppd failed to start (exit 1); see pppd.log");
        Assert.Equal(("warning", "Router: pppd failed to start (exit 1); see pppd.log"), (warn.Level, warn.Text));
        Assert.Equal(("error", "x: y"), (LogRules.Routerd(T0, "11:00:00.000 fail: x[-4] y") is var e ? (e.Level, e.Text) : default));
        Assert.Equal("info", LogRules.Routerd(T0, "not our layout").Level);

        var line = LogRules.Daemon("pppd", "2026-12-03T11:00:01.250Z Couldn't open the /dev/ppp device: No such file or directory")!;
        Assert.Equal((T0.AddSeconds(1.25), "pppd", "error"), (line.Time, line.Source, line.Level));
        Assert.Equal("warning", LogRules.Daemon("pppd", "2026-12-03T11:00:01.000Z Timeout waiting for PADO packets")!.Level);
        Assert.Equal("info", LogRules.Daemon("dnsmasq", "2026-12-03T11:00:01.000Z DHCPACK(br-lan) 192.168.1.100 02:00:00:00:01:01 phone")!.Level);
        Assert.Null(LogRules.Daemon("dnsmasq", "a line without a time"));
    }

    [Fact]
    public void The_newest_matching_lines_come_oldest_first_and_the_rest_is_counted()
    {
        var entries = new List<LogEntry>();
        for (int i = 0; i < 30; i++)
            entries.Add(new(T0.AddSeconds(i), i % 2 == 0 ? "dnsmasq" : "routerd", i % 3 == 0 ? "error" : "info", $"line {i}"));
        var view = LogRules.Select(entries.AsEnumerable().Reverse(), Query("dnsmasq", "error", 3), []);
        Assert.Equal(["line 12", "line 18", "line 24"], view.Lines.Select(l => l.Text));
        Assert.Equal((5, true), (view.Matched, view.Truncated));
        Assert.Equal(30, LogRules.Select(entries, Query(), []).Lines.Count);
        Assert.Equal(10, LogRules.Select(entries, Query("routerd,dnsmasq", "warning"), []).Matched);
    }

    [Fact]
    public void Wrong_parameters_are_named()
    {
        var errors = new List<FieldError>();
        Assert.Null(LogRules.Check("kernel", "debug", 1001, LogRules.MaxLines, errors));
        Assert.Equal(["source", "level", "lines"], errors.Select(e => e.Field));
        errors.Clear();
        Assert.Equal(5000, LogRules.Check("all", null, 5000, LogRules.MaxDownloadLines, errors)!.Lines);
        Assert.Empty(errors);
    }

    [Fact]
    public void Secrets_are_replaced_in_every_line_and_in_the_download()
    {
        string[] secrets = ["Kq7-ZebraLamp-93", "Kq7", "pppoe-Secret!"];
        var entries = new List<LogEntry>
        {
            new(T0, "dnsmasq", "info", "DHCPACK(br-lan) 192.168.1.100 02:00:00:00:01:01 Kq7-ZebraLamp-93"),
            new(T0.AddSeconds(1), "pppd", "error", "rcvd [PAP AuthReq id=0x1 user=\"u\" password=\"pppoe-Secret!\"] pppoe-Secret!"),
        };
        var view = LogRules.Select(entries, Query(), secrets);
        string text = LogRules.Text(view);
        foreach (var s in secrets) Assert.DoesNotContain(s, text);
        Assert.EndsWith(" 02:00:00:00:01:01 [hidden]", view.Lines[0].Text); // the longer secret first, whole
        Assert.Contains("password=\"[hidden]\"] [hidden]", view.Lines[1].Text);
        Assert.StartsWith("2026-12-03T11:00:00.000Z dnsmasq info DHCPACK", text);
    }

    [Fact]
    public void A_line_is_cut_at_its_bound_and_the_ring_keeps_the_newest()
    {
        var long_ = LogRules.Daemon("hostapd", "2026-12-03T11:00:01.000Z " + new string('x', 5000))!;
        Assert.Equal(LogRules.MaxLineChars, long_.Text.Length);
        var ring = new RecentLines(3);
        for (int i = 0; i < 5; i++) ring.Add(T0.AddSeconds(i), $"l{i}");
        Assert.Equal(["l2", "l3", "l4"], ring.Snapshot().Select(l => l.Line));
    }
}
