namespace Routerd.Core.Upgrade;

/// <summary>An installed update on trial: written after RAUC wrote the other slot, read at the next
/// boots by routerd and by image/overlay/usr/lib/routerd/boot-trial (so it is plain key=value
/// lines, not JSON). It names the slot and version that were running when it was installed and that
/// boot's id, so a later boot can tell "still before the reboot", "on the new slot" and "back on
/// the old slot".</summary>
public sealed record UpdateTrial(string FromSlot, string FromVersion, string ToVersion, string BootId)
{
    /// <summary>The trial itself (in the upload directory, on the data partition).</summary>
    public const string FileName = "trial";
    /// <summary>Written by boot-trial when it gives up on the new slot: one line, why.</summary>
    public const string FailedFileName = "trial-failed";

    public string Format() =>
        $"from_slot={FromSlot}\nfrom_version={FromVersion}\nto_version={ToVersion}\nboot_id={BootId}\n";

    /// <summary>Null when a key is missing or a value is not one plain word (the file is ours, but
    /// a torn write must not name a slot).</summary>
    public static UpdateTrial? Parse(string text)
    {
        var values = KeyValueLines.Parse(text);
        string? Get(string key) => values.TryGetValue(key, out var v) && v.Length > 0 && !v.Any(char.IsWhiteSpace) ? v : null;
        return Get("from_slot") is { } slot && Get("from_version") is { } from && Get("to_version") is { } to && Get("boot_id") is { } boot
            ? new UpdateTrial(slot, from, to, boot)
            : null;
    }
}

/// <summary>What became of the last installed update, in the owner's words (GET /api/firmware
/// <c>lastUpdate</c>): "updated" once the new slot passed its health check, "fell-back" when the
/// box is running the slot the update was installed from again.</summary>
public sealed record UpdateOutcome(string State, string Version, string From, string Message)
{
    public const string FileName = "last-update";
    public const string Updated = "updated";
    public const string FellBack = "fell-back";

    /// <summary>The reason given when boot-trial left no note: the new slot never got as far as
    /// routerd (no kernel, no root, a hang the watchdog or power cycle ended).</summary>
    public const string NeverStarted = "the new system did not come up far enough to run its health check";

    /// <summary>This boot's verdict on a trial: null while it is undecided (the boot that installed
    /// it, or the new slot before its health check); fell-back when a later boot runs the slot it was
    /// installed from.</summary>
    public static UpdateOutcome? OnStart(UpdateTrial trial, string bootedSlot, string bootId, string? failure) =>
        trial.BootId == bootId || bootedSlot != trial.FromSlot
            ? null
            : new UpdateOutcome(FellBack, trial.ToVersion, trial.FromVersion,
                $"The update to {trial.ToVersion} did not start correctly; the router went back to {trial.FromVersion}: {OneLine(failure)?.TrimEnd('.') ?? NeverStarted}.");

    /// <summary>The new slot passed its health check and was marked good.</summary>
    public static UpdateOutcome Succeeded(UpdateTrial trial) =>
        new(Updated, trial.ToVersion, trial.FromVersion, $"Updated to {trial.ToVersion} (from {trial.FromVersion}).");

    /// <summary>On the new slot after a reboot, before the health check: the trial is this boot's.</summary>
    public static bool RunningTrial(UpdateTrial trial, string bootedSlot, string bootId) =>
        trial.BootId != bootId && bootedSlot != trial.FromSlot;

    public string Format() => $"state={State}\nversion={Version}\nfrom={From}\nmessage={OneLine(Message)}\n";

    public static UpdateOutcome? Parse(string text)
    {
        var v = KeyValueLines.Parse(text);
        return v.TryGetValue("state", out var state) && state is Updated or FellBack
            && v.TryGetValue("version", out var version) && v.TryGetValue("from", out var from) && v.TryGetValue("message", out var message)
            ? new UpdateOutcome(state, version, from, message)
            : null;
    }

    static string? OneLine(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>key=value per line, the first '=' splits; later keys win. Lines without '=' are skipped.</summary>
static class KeyValueLines
{
    public static Dictionary<string, string> Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) values[line[..eq].Trim()] = line[(eq + 1)..].TrimEnd('\r');
        }
        return values;
    }
}
