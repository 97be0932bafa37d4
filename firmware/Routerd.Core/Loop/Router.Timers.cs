using Routerd.Core.Settings;

namespace Routerd.Core.Loop;

// Timers as events: after each burst the loop arms one timer for the nearest deadline (a
// priority's expiry, a pause's start or end, a pending LAN change's rollback, a confirmed change's grace, the daily
// PPPoE reconnect window); when it fires, a Tick goes through the inbox like everything else.
public sealed partial class Router
{
    ITimer? timer;
    /// <summary>When the armed timer fires, on the monotonic clock (timers count monotonic time).</summary>
    TimeSpan? armedFor;

    /// <summary>Every deadline that is due (tests and tools; the loop's timer posts the same event).</summary>
    public void ExpirePriorities() => Send(new Tick());
    public void RollBackIfDue() => Send(new Tick());
    public void PppReconnectIfDue() => Send(new Tick());

    object? OnTick()
    {
        armedFor = null;
        var now = clock.GetUtcNow();
        if (EndDue(d => d.Priority && d.PriorityUntil <= now, d => d with { Priority = false, PriorityUntil = null })) LogExpired(log);
        if (EndDue(d => d.Paused && d.PausedUntil <= now, d => d with { Paused = false, PausedUntil = null })) LogResumed(log);
        // A schedule may have started or ended a pause: the sets are built again, and loaded if they differ.
        if (state.Pause.Devices.Count > 0) setsDirty = true;
        RollBackDue(monotonic.Now);
        WanHandler.Tick(state.Wan);
        return null;
    }

    /// <summary>Ends every device setting whose time is up (a priority "for 1 hour", a pause "until
    /// 7:00") through the same batched commit as a toggle, so the API shows it ended too.</summary>
    bool EndDue(Func<DeviceSettings, bool> due, Func<DeviceSettings, DeviceSettings> end)
    {
        if (!settings.Devices.Any(due)) return false;
        var list = settings.Devices.Select(d => due(d) ? end(d) : d).ToList();
        return CommitBatched(settings with { Devices = list }) is not ChangeResult { Succeeded: false };
    }

    /// <summary>The longest the timer waits for a date (a priority's or pause's end, a schedule's
    /// next change): the wait is timed on the monotonic clock, and when NTP or the owner steps the
    /// date forward the date comes sooner than the wait; looking again this often bounds how late
    /// such a deadline is handled. The process's own deadlines (rollback, grace) need no such look.</summary>
    public static readonly TimeSpan DateRecheck = TimeSpan.FromMinutes(1);

    /// <summary>The wait until the nearest deadline: dates counted from <paramref name="now"/> (at
    /// most <see cref="DateRecheck"/>), the process's own deadlines from <paramref name="elapsed"/>.</summary>
    internal TimeSpan? NextWait(DateTimeOffset now, TimeSpan elapsed)
    {
        TimeSpan? next = null;
        void Consider(TimeSpan? wait)
        {
            if (wait is { } w && (next is null || w < next)) next = w;
        }
        void ConsiderDate(DateTimeOffset? at)
        {
            if (at is { } t) Consider(t - now < DateRecheck ? t - now : DateRecheck);
        }
        foreach (var d in settings.Devices)
        {
            if (d.Priority) ConsiderDate(d.PriorityUntil);
            if (d.Paused) ConsiderDate(d.PausedUntil);
        }
        ConsiderDate(state.Pause.NextChange(now, state.Zone));
        ConsiderDate(WanHandler.NextDeadline(state.Wan, now));
        Consider(pending?.Deadline - elapsed);
        Consider(retiring?.Until - elapsed);
        return next;
    }

    /// <summary>Keeps the earliest deadline armed: a later one is armed when this one has fired.</summary>
    void ArmTimer()
    {
        var elapsed = monotonic.Now;
        if (NextWait(clock.GetUtcNow(), elapsed) is not { } wait) return;
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        if (armedFor is { } armed && armed <= elapsed + wait && armed > elapsed) return;
        timer?.Dispose();
        armedFor = elapsed + wait;
        timer = clock.CreateTimer(_ => loop.Post(new Tick()), null, wait, Timeout.InfiniteTimeSpan);
    }
}
