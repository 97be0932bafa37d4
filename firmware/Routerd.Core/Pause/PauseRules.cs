using System.Globalization;
using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Pause;

/// <summary>Pausing a device: what the settings may say (checked with the field named), and
/// whether a device is blocked at a moment. The times of a schedule are wall-clock times in the
/// router's time zone, so "21:00" stays 21:00 across a daylight-saving change.</summary>
public static class PauseRules
{
    /// <summary>A week has 7 days; two windows a day is already a busy family.</summary>
    public const int MaxWindows = 14;

    /// <summary>The day names a schedule is written with, Sunday first as in <see cref="DayOfWeek"/>.</summary>
    static readonly string[] Days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary>The pause part of the device list. MACs are checked (and named) by the device
    /// list's own rules; a device whose MAC is not one is left out here. A pause that has ended
    /// stays as stored (the loop clears it), like an expired priority.</summary>
    public static PausePlan? Build(IReadOnlyList<DeviceSettings> devices, List<FieldError> errors)
    {
        int before = errors.Count;
        var plan = new List<DevicePause>();
        for (int i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            var windows = CheckSchedule(d.PauseSchedule, $"devices[{i}].pauseSchedule", errors);
            if (!d.Paused && windows.Count == 0) continue;
            if (MacAddress.TryParse(d.Mac, out var mac) && mac.IsUnicast && !mac.IsZero)
                plan.Add(new DevicePause(mac, d.Paused, d.Paused ? d.PausedUntil : null, windows));
        }
        return errors.Count == before ? new PausePlan(plan) : null;
    }

    /// <summary>A weekly schedule as typed windows; every refused part is named below
    /// <paramref name="field"/> ("schedule[1].from"), all at once.</summary>
    public static List<WeeklyWindow> CheckSchedule(IReadOnlyList<PauseWindow>? schedule, string field, List<FieldError> errors)
    {
        var windows = new List<WeeklyWindow>();
        if (schedule is null) return windows;
        if (schedule.Count > MaxWindows)
        {
            errors.Add(new(field, $"A schedule can have at most {MaxWindows} times a week."));
            return windows;
        }
        for (int j = 0; j < schedule.Count; j++)
        {
            var w = schedule[j];
            string at = $"{field}[{j}]";
            var days = new HashSet<DayOfWeek>();
            if (w.Days is not { Count: > 0 })
                errors.Add(new($"{at}.days", "Choose at least one day."));
            else
                for (int k = 0; k < w.Days.Count; k++)
                {
                    int day = Array.IndexOf(Days, w.Days[k].Trim().ToLowerInvariant());
                    if (day < 0) errors.Add(new($"{at}.days[{k}]", $"'{TextRules.Printable(w.Days[k])}' is not a day of the week (mon, tue, wed, thu, fri, sat or sun)."));
                    else days.Add((DayOfWeek)day);
                }
            var from = Time(w.From, $"{at}.from", errors);
            var to = Time(w.To, $"{at}.to", errors);
            if (from is { } f && to is { } t && f == t)
                errors.Add(new($"{at}.to", $"The end must differ from the start ({f:HH\\:mm})."));
            else if (from is { } f2 && to is { } t2 && days.Count > 0)
                windows.Add(new WeeklyWindow(days, f2, t2));
        }
        return windows;
    }

    static TimeOnly? Time(string? text, string field, List<FieldError> errors)
    {
        if (TimeOnly.TryParseExact(text ?? "", "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t;
        errors.Add(new(field, string.IsNullOrWhiteSpace(text) ? "Enter a time of day as HH:mm, e.g. 21:30."
            : $"'{TextRules.Printable(text)}' is not a time of day as HH:mm, e.g. 21:30."));
        return null;
    }

    /// <summary>True when the device may not reach the internet at <paramref name="now"/>.</summary>
    public static bool Blocked(DevicePause d, DateTimeOffset now, TimeZoneInfo zone) =>
        PausedByOwner(d, now) || ScheduledAt(d, now, zone);

    static bool PausedByOwner(DevicePause d, DateTimeOffset now) => d.Paused && (d.Until is not { } u || now < u);

    static bool ScheduledAt(DevicePause d, DateTimeOffset now, TimeZoneInfo zone)
    {
        if (d.Schedule.Count == 0) return false;
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        return d.Schedule.Any(w => w.Contains(local));
    }

    /// <summary>Why the device is blocked now ("owner" or "schedule", the owner's pause first), or null.</summary>
    public static string? BlockedBy(DevicePause d, DateTimeOffset now, TimeZoneInfo zone) =>
        PausedByOwner(d, now) ? ByOwner : ScheduledAt(d, now, zone) ? BySchedule : null;

    public const string ByOwner = "owner", BySchedule = "schedule";

    /// <summary>The next moment after <paramref name="now"/> at which the device's pause may
    /// begin or end: the owner's end time, or a schedule window's start or end.</summary>
    public static DateTimeOffset? NextChange(DevicePause d, DateTimeOffset now, TimeZoneInfo zone)
    {
        DateTimeOffset? next = d.Paused && d.Until is { } u && u > now ? u : null;
        if (d.Schedule.Count == 0) return next;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        // From yesterday (a window past midnight ends today) to a week ahead (every window recurs).
        for (int day = -1; day <= 7; day++)
            foreach (var w in d.Schedule)
                foreach (var edge in w.Edges(today.AddDays(day)))
                {
                    var at = ToInstant(edge, zone);
                    if (at > now && (next is null || at < next)) next = at;
                }
        return next;
    }

    /// <summary>When the device's block ends if nobody changes anything: walks from change to
    /// change while it stays blocked (the owner's pause may run into a scheduled one). Null: it
    /// does not end by itself (paused until resumed, or schedules that cover every moment).</summary>
    public static DateTimeOffset? BlockedUntil(DevicePause d, DateTimeOffset now, TimeZoneInfo zone)
    {
        var t = now;
        for (int step = 0; step < 64 && Blocked(d, t, zone); step++)
        {
            if (NextChange(d, t, zone) is not { } next) return null;
            t = next;
        }
        return Blocked(d, t, zone) ? null : t;
    }

    /// <summary>A wall-clock time as an instant. A time the clocks skip (spring forward) happens
    /// at the first minute after the gap; a time that occurs twice (fall back), at its first occurrence.</summary>
    static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        for (int i = 0; i < 24 * 60 && zone.IsInvalidTime(local); i++) local = local.AddMinutes(1);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
