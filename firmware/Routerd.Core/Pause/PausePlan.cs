using Routerd.Core.Net;

namespace Routerd.Core.Pause;

/// <summary>The devices the owner has said something about pausing: paused now (optionally until
/// a time) and each one's weekly schedule. Whether a device is blocked at a moment is decided
/// from this and the clock (<see cref="PauseRules"/>), not stored: a schedule needs no settings
/// change to start or end.</summary>
public sealed record PausePlan(IReadOnlyList<DevicePause> Devices)
{
    public static readonly PausePlan Empty = new([]);

    /// <summary>The devices blocked from the internet at <paramref name="now"/>, in MAC order.</summary>
    public IReadOnlyList<MacAddress> BlockedAt(DateTimeOffset now, TimeZoneInfo zone) =>
        Devices.Where(d => PauseRules.Blocked(d, now, zone)).Select(d => d.Mac).OrderBy(m => m.Value).ToList();

    /// <summary>The nearest moment after <paramref name="now"/> at which any device's pause may
    /// begin or end (the loop arms its timer for it); null: none is coming.</summary>
    public DateTimeOffset? NextChange(DateTimeOffset now, TimeZoneInfo zone)
    {
        DateTimeOffset? next = null;
        foreach (var d in Devices)
            if (PauseRules.NextChange(d, now, zone) is { } t && (next is null || t < next)) next = t;
        return next;
    }
}

/// <param name="Paused">paused by the owner ("pause now").</param>
/// <param name="Until">when that pause ends by itself; null: when the owner resumes it.</param>
/// <param name="Schedule">the weekly times the device is paused, whatever <paramref name="Paused"/> says.</param>
public sealed record DevicePause(MacAddress Mac, bool Paused, DateTimeOffset? Until, IReadOnlyList<WeeklyWindow> Schedule);

/// <summary>A weekly time in the router's time zone: on each of <see cref="Days"/> from
/// <see cref="From"/> to <see cref="To"/>. A window whose end is not after its start runs past
/// midnight into the next day ("school nights 21:00 to 07:00"), and belongs to the day it starts on.</summary>
public sealed record WeeklyWindow(IReadOnlySet<DayOfWeek> Days, TimeOnly From, TimeOnly To)
{
    public bool PastMidnight => To <= From;

    /// <summary>True when the wall-clock time <paramref name="local"/> is inside the window.</summary>
    public bool Contains(DateTime local)
    {
        var t = TimeOnly.FromDateTime(local);
        if (!PastMidnight) return Days.Contains(local.DayOfWeek) && t >= From && t < To;
        var yesterday = (DayOfWeek)(((int)local.DayOfWeek + 6) % 7);
        return Days.Contains(local.DayOfWeek) && t >= From || Days.Contains(yesterday) && t < To;
    }

    /// <summary>The wall-clock moments the window starts and ends for a start on <paramref name="date"/>
    /// (none when the window is not on that day).</summary>
    public IEnumerable<DateTime> Edges(DateOnly date)
    {
        if (!Days.Contains(date.DayOfWeek)) yield break;
        yield return date.ToDateTime(From);
        yield return (PastMidnight ? date.AddDays(1) : date).ToDateTime(To);
    }
}

/// <summary>A paused device as the API shows it: paused by the owner or by its schedule, and
/// when the pause ends (null: when the owner resumes it).</summary>
public sealed record PauseStatus(string By, DateTimeOffset? Until)
{
    public static readonly IReadOnlyDictionary<string, PauseStatus> None = new Dictionary<string, PauseStatus>();
}
