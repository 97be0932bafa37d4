using Microsoft.Extensions.Logging;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Pause;
using Routerd.Core.Settings;

namespace Routerd.Core.Loop;

// Pausing devices: like a priority toggle, a pause changes set elements only (pause_macs,
// pause_v4, pause_v6), batched with the burst. Who is paused is decided from the plan and the
// clock each time the sets are built; the loop's timer wakes it at the next start or end of a
// pause, so a schedule needs no settings change to begin or end.
public sealed partial class Router
{
    /// <summary>The paused devices right now and the addresses they hold.</summary>
    DeviceSets PauseSetsOf(DesiredState s)
    {
        var blocked = s.Pause.BlockedAt(clock.GetUtcNow(), s.Zone);
        return PauseSets.From(blocked, devices.AddressesOf(blocked));
    }

    /// <summary>Pauses a device now (optionally until a time) or resumes it (null: as it is), and
    /// optionally replaces its weekly schedule (null: kept as it is).</summary>
    public ChangeResult SetPause(MacAddress mac, bool? paused, DateTimeOffset? until, IReadOnlyList<PauseWindow>? schedule = null) =>
        (ChangeResult)Send(new SetPause(mac, paused, until, schedule))!;
    public async Task<ChangeResult> SetPauseAsync(MacAddress mac, bool? paused, DateTimeOffset? until, IReadOnlyList<PauseWindow>? schedule) =>
        (ChangeResult)(await SendAsync(new SetPause(mac, paused, until, schedule)))!;

    object OnSetPause(SetPause p)
    {
        var errors = new List<FieldError>();
        if (p.Paused == true && p.Until is { } u && u <= clock.GetUtcNow())
            errors.Add(new("until", "The end time has already passed: choose a later one."));
        PauseRules.CheckSchedule(p.Schedule, "schedule", errors);
        if (errors.Count > 0) return new ChangeResult(errors);
        var list = settings.Devices.ToList();
        int i = list.FindIndex(d => MacAddress.TryParse(d.Mac, out var m) && m == p.Mac);
        var device = i >= 0 ? list[i] : new DeviceSettings { Mac = p.Mac.ToString() };
        if (p.Paused is { } paused) device = device with { Paused = paused, PausedUntil = paused ? p.Until : null };
        if (p.Schedule is { } schedule) device = device with { PauseSchedule = schedule };
        if (i >= 0) list[i] = device; else list.Add(device);
        return CommitBatched(settings with { Devices = list });
    }

    /// <summary>Each paused device: why it is paused and until when (published with the snapshot,
    /// so the device list reads it without computing schedules per request).</summary>
    IReadOnlyDictionary<string, PauseStatus> PauseStatusNow()
    {
        if (state.Pause.Devices.Count == 0) return PauseStatus.None;
        var (now, zone) = (clock.GetUtcNow(), state.Zone);
        var shown = new Dictionary<string, PauseStatus>();
        foreach (var d in state.Pause.Devices)
            if (PauseRules.BlockedBy(d, now, zone) is { } by)
                shown[d.Mac.ToString()] = new PauseStatus(by, PauseRules.BlockedUntil(d, now, zone));
        return shown;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "a device's pause ended and it was resumed")]
    static partial void LogResumed(ILogger log);
}
