using Routerd.Core.Net;
using Routerd.Core.Pause;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Pause;

/// <summary>The schedule logic: when a device is paused, when that changes next, and what a
/// schedule may say (every refused part named, all at once).</summary>
public class PauseRulesTests
{
    static readonly MacAddress Kid = MacAddress.Parse("02:00:00:00:01:05");
    static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;
    // 2026-11-23 is a Monday.
    static DateTimeOffset At(int day, int hour, int minute = 0) => new(2026, 11, 23 + day, hour, minute, 0, TimeSpan.Zero);

    static DevicePause Schedule(params PauseWindow[] windows)
    {
        var errors = new List<FieldError>();
        var typed = PauseRules.CheckSchedule(windows, "schedule", errors);
        Assert.Empty(errors);
        return new DevicePause(Kid, false, null, typed);
    }

    static PauseWindow Window(string from, string to, params string[] days) => new() { Days = days, From = from, To = to };

    [Fact]
    public void A_window_within_a_day_blocks_from_its_start_up_to_its_end()
    {
        var d = Schedule(Window("18:00", "19:30", "mon", "wed"));
        Assert.False(PauseRules.Blocked(d, At(0, 17, 59), Utc));
        Assert.True(PauseRules.Blocked(d, At(0, 18, 0), Utc));
        Assert.True(PauseRules.Blocked(d, At(0, 19, 29), Utc));
        Assert.False(PauseRules.Blocked(d, At(0, 19, 30), Utc));
        Assert.False(PauseRules.Blocked(d, At(1, 18, 30), Utc)); // Tuesday is not in it
        Assert.True(PauseRules.Blocked(d, At(2, 18, 30), Utc));
    }

    [Fact]
    public void A_window_past_midnight_belongs_to_the_day_it_starts_on()
    {
        var d = Schedule(Window("21:00", "07:00", "mon"));
        Assert.False(PauseRules.Blocked(d, At(0, 6, 0), Utc));  // Monday morning: Sunday's night, not scheduled
        Assert.True(PauseRules.Blocked(d, At(0, 21, 0), Utc));
        Assert.True(PauseRules.Blocked(d, At(0, 23, 59), Utc));
        Assert.True(PauseRules.Blocked(d, At(1, 6, 59), Utc));  // Tuesday morning: still Monday's night
        Assert.False(PauseRules.Blocked(d, At(1, 7, 0), Utc));
        Assert.False(PauseRules.Blocked(d, At(1, 21, 0), Utc));
    }

    [Fact]
    public void The_next_change_is_the_nearest_start_or_end_and_the_owners_end_time()
    {
        var d = Schedule(Window("21:00", "07:00", "mon", "tue"));
        Assert.Equal(At(0, 21), PauseRules.NextChange(d, At(0, 12), Utc));
        Assert.Equal(At(1, 7), PauseRules.NextChange(d, At(0, 21), Utc));
        Assert.Equal(At(1, 21), PauseRules.NextChange(d, At(1, 7), Utc));
        // From Wednesday 07:00 the next start is next Monday's.
        Assert.Equal(At(7, 21), PauseRules.NextChange(d, At(2, 7), Utc));
        var owner = d with { Paused = true, Until = At(0, 15) };
        Assert.Equal(At(0, 15), PauseRules.NextChange(owner, At(0, 12), Utc));
        Assert.Null(PauseRules.NextChange(new DevicePause(Kid, true, null, []), At(0, 12), Utc));
    }

    [Fact]
    public void A_pause_that_runs_into_a_scheduled_one_ends_when_the_schedule_does()
    {
        var d = Schedule(Window("20:00", "22:00", "mon")) with { Paused = true, Until = At(0, 20, 0) };
        Assert.Equal(PauseRules.ByOwner, PauseRules.BlockedBy(d, At(0, 19), Utc));
        Assert.Equal(At(0, 22), PauseRules.BlockedUntil(d, At(0, 19), Utc));
        Assert.Equal(PauseRules.BySchedule, PauseRules.BlockedBy(d, At(0, 20, 30), Utc));
        Assert.Null(PauseRules.BlockedBy(d, At(0, 22), Utc));
        // Paused by the owner without an end: it does not end by itself.
        Assert.Null(PauseRules.BlockedUntil(d with { Until = null }, At(0, 19), Utc));
    }

    [Fact]
    public void Schedule_times_are_wall_clock_times_across_daylight_saving()
    {
        // Central Europe moves its clocks on 2026-03-29 (a Sunday) from 02:00 to 03:00, and back on
        // 2026-10-25 from 03:00 to 02:00.
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var d = Schedule(Window("21:00", "07:00", "sat", "sun"));
        var saturday = new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.FromHours(1));
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 21, 0, 0, TimeSpan.FromHours(1)), PauseRules.NextChange(d, saturday, berlin));
        // The night's end is 07:00 summer time, which is 05:00 UTC, not 06:00.
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 5, 0, 0, TimeSpan.Zero), PauseRules.NextChange(d, saturday.AddHours(10), berlin));
        // A window that starts in the skipped hour starts at the first minute after it.
        var gap = Schedule(Window("02:30", "04:00", "sun"));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2)), PauseRules.NextChange(gap, saturday, berlin));
        Assert.True(PauseRules.Blocked(gap, new DateTimeOffset(2026, 3, 29, 3, 10, 0, TimeSpan.FromHours(2)), berlin));
    }

    [Fact]
    public void Every_refused_part_of_a_schedule_is_named_at_once()
    {
        var errors = new List<FieldError>();
        PauseRules.CheckSchedule([
            Window("18:00", "19:00"),
            Window("25:00", "7pm", "mon", "someday"),
            Window("08:00", "08:00", "sat"),
        ], "schedule", errors);
        Assert.Equal(["schedule[0].days", "schedule[1].days[1]", "schedule[1].from", "schedule[1].to", "schedule[2].to"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.True(char.IsUpper(e.Message[0]) || e.Message[0] == '\'', e.Message));
        Assert.Contains("someday", errors[1].Message);

        errors.Clear();
        PauseRules.CheckSchedule(Enumerable.Repeat(Window("18:00", "19:00", "mon"), PauseRules.MaxWindows + 1).ToList(), "schedule", errors);
        Assert.Equal("schedule", errors.Single().Field);
    }

    [Fact]
    public void Stored_schedules_are_checked_with_the_devices_field_names()
    {
        var settings = new RouterSettings
        {
            Devices = [
                new DeviceSettings { Mac = "02:00:00:00:01:01" },
                new DeviceSettings { Mac = "02:00:00:00:01:05", PauseSchedule = [Window("21:00", "24:00", "Mon")] },
            ],
        };
        var errors = new List<FieldError>();
        Assert.Null(PauseRules.Build(settings.Devices, errors));
        Assert.Equal("devices[1].pauseSchedule[0].to", errors.Single().Field);
    }

    [Fact]
    public void Devices_blocked_now_are_listed_in_mac_order_and_an_ended_pause_is_not()
    {
        var settings = new List<DeviceSettings>
        {
            new() { Mac = "02:00:00:00:01:09", Paused = true },
            new() { Mac = "02:00:00:00:01:02", Paused = true, PausedUntil = At(0, 11) },
            new() { Mac = "02:00:00:00:01:03", PauseSchedule = [Window("11:00", "13:00", "MON")] },
            new() { Mac = "02:00:00:00:01:04", PauseSchedule = [Window("13:00", "14:00", "mon")] },
            new() { Mac = "02:00:00:00:01:01" },
        };
        var plan = PauseRules.Build(settings, [])!;
        Assert.Equal(["02:00:00:00:01:03", "02:00:00:00:01:09"], plan.BlockedAt(At(0, 12), Utc).Select(m => m.ToString()));
        Assert.Equal(At(0, 13), plan.NextChange(At(0, 12), Utc));
    }

    [Fact]
    public void A_schema_3_document_loads_with_nobody_paused()
    {
        var migrated = RouterJson.ReadSettings("""
            { "schemaVersion": 3, "devices": [ { "mac": "02:00:00:00:01:01", "name": "phone", "priority": true } ] }
            """);
        Assert.Equal(RouterSettings.CurrentSchemaVersion, migrated.SchemaVersion);
        var phone = migrated.Devices.Single();
        Assert.True(phone.Priority);
        Assert.False(phone.Paused);
        Assert.Null(phone.PausedUntil);
        Assert.Empty(phone.PauseSchedule);
        Assert.Empty(PauseRules.Build(migrated.Devices, [])!.Devices);
    }
}
