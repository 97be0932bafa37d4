using Routerd.Core.Settings;

namespace Routerd.Core.Loop;

// Timers as events: after each burst the loop arms one timer for the nearest deadline (a
// priority's expiry, a pause's start or end, a pending LAN change's rollback, a confirmed change's grace, the daily
// PPPoE reconnect window); when it fires, a Tick goes through the inbox like everything else.
public sealed partial class Router
{
    ITimer? timer;
    DateTimeOffset? armedFor;

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
        RollBackDue(now);
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

    DateTimeOffset? NextDeadline(DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        void Consider(DateTimeOffset? at)
        {
            if (at is { } t && (next is null || t < next)) next = t;
        }
        foreach (var d in settings.Devices)
        {
            if (d.Priority) Consider(d.PriorityUntil);
            if (d.Paused) Consider(d.PausedUntil);
        }
        Consider(state.Pause.NextChange(now, state.Zone));
        Consider(pending?.Deadline);
        Consider(retiring?.Until);
        Consider(WanHandler.NextDeadline(state.Wan, now));
        return next;
    }

    /// <summary>Keeps the earliest deadline armed: a later one is armed when this one has fired.</summary>
    void ArmTimer()
    {
        var now = clock.GetUtcNow();
        if (NextDeadline(now) is not { } next) return;
        if (armedFor is { } armed && armed <= next && armed > now) return;
        timer?.Dispose();
        armedFor = next;
        var due = next - now;
        timer = clock.CreateTimer(_ => loop.Post(new Tick()), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }
}
