using Routerd.Core.Settings;
using Routerd.Core.Time;
using Xunit;

namespace Routerd.Tests.Time;

/// <summary>The time zone setting: names of the tz database on this system only, the zone list,
/// the status words (truthful where no time service runs), and schema 6's migration.</summary>
public class TimeRulesTests
{
    static List<FieldError> Refused(string? zone)
    {
        var errors = new List<FieldError>();
        Assert.Null(TimeRules.Build(new TimeSettings { Zone = zone! }, errors));
        return errors;
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("Europe/Berlin")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("Etc/GMT+5")]
    public void A_tz_database_name_present_here_is_a_zone(string name)
    {
        var errors = new List<FieldError>();
        Assert.Equal(name, TimeRules.Build(new TimeSettings { Zone = name }, errors)!.Id);
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("Mars/Olympus_Mons", "is not a time zone this router knows")]
    [InlineData("../../../etc/passwd", "is not a time zone")]
    [InlineData("Europe/../../etc/shadow", "is not a time zone")]
    [InlineData("/usr/share/zoneinfo/UTC", "is not a time zone")]
    [InlineData("Europe/Berlin\n", "is not a time zone")]
    [InlineData("W. Europe Standard Time", "is not a time zone")]
    public void Anything_else_is_refused_at_time_zone(string zone, string message)
    {
        var e = Assert.Single(Refused(zone));
        Assert.Equal("time.zone", e.Field);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void The_zone_list_holds_area_city_names_and_utc()
    {
        var zones = TimeRules.Zones();
        Assert.Contains("Europe/Berlin", zones);
        Assert.Contains("America/New_York", zones);
        Assert.Contains("UTC", zones);
        Assert.True(zones.Count > 300, $"only {zones.Count} zones");
        Assert.DoesNotContain(zones, z => z.StartsWith("Etc/", StringComparison.Ordinal) || z.Contains(' '));
    }

    [Fact]
    public void The_status_says_how_the_clock_is_kept_in_the_zone_chosen()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var at = new DateTimeOffset(2026, 12, 3, 11, 30, 0, TimeSpan.Zero);
        var lab = TimeReport.Build(berlin, at, new ClockStatus(true, "systemd-timesyncd", false, null), []);
        Assert.Equal(("2026-12-03 12:30:00", "+01:00"), (lab.LocalTime, lab.Offset));
        Assert.StartsWith("No time service runs on this router", lab.Summary);
        var synced = TimeReport.Build(TimeZoneInfo.Utc, at, new ClockStatus(true, "systemd-timesyncd", true, "ntp.test (192.0.2.123)"), []);
        Assert.Equal("The clock is synchronised by systemd-timesyncd with ntp.test (192.0.2.123).", synced.Summary);
        Assert.Contains("has not synchronised the clock yet", TimeReport.Build(TimeZoneInfo.Utc, at, new ClockStatus(false, "systemd-timesyncd", true, null), []).Summary);
        Assert.Equal("-03:00", TimeRules.Offset(TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo"), at));
    }

    [Fact]
    public void A_schema_5_document_is_migrated_with_utc()
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse("""{"schemaVersion":5,"wifi":{"ssid":"home"}}""")!.AsObject();
        var settings = RouterJson.ReadSettings(SettingsMigrations.Migrate(doc).ToJsonString(), migrate: false);
        // Through every later step to the current schema (7 added IPv6's mode); step 6 gave it UTC.
        Assert.Equal((RouterSettings.CurrentSchemaVersion, "UTC"), (settings.SchemaVersion, settings.Time.Zone));
    }
}
