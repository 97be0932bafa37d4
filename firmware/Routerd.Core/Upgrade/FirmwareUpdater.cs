namespace Routerd.Core.Upgrade;

/// <summary>One upload at a time: receive → check → install, each step's outcome kept as the
/// <see cref="FirmwareJob"/> the API shows. A refused bundle is removed and no slot is touched;
/// an accepted one is installed in the background (writing a slot takes minutes) and the owner
/// reboots into it.</summary>
public sealed class FirmwareUpdater(IFirmwareTool tool, string compatible, string runningVersion, string uploadDir)
{
    readonly Lock gate = new();
    FirmwareJob job = FirmwareJob.Idle;
    string bootCheck = "pending";

    public string Compatible { get; } = compatible;
    public string RunningVersion { get; } = runningVersion;
    /// <summary>Where an upload is streamed to: on the data partition, never in memory.</summary>
    public string UploadPath { get; } = Path.Combine(uploadDir, "upload.raucb");
    public FirmwareJob Job { get { lock (gate) return job; } }
    /// <summary>This boot (slot and boot id): with it the updater keeps the trial of an installed
    /// update and its outcome in <see cref="UploadPath"/>'s directory. Null: no bookkeeping (a
    /// board or test without slots).</summary>
    public BootIdentity? Boot { get; init; }
    /// <summary>The owner's settings (the store's JSON, secrets included), saved root-only beside
    /// the upload before a slot is written, so an older version never has to read a newer schema.</summary>
    public Func<string>? SettingsJson { get; init; }
    /// <summary>Makes the renames and removals in a directory durable (fsync of the directory).
    /// Without it a power cut soon after an install began could bring back the last update's
    /// outcome and leave the settings backup under its temporary name (seen in the image tier).</summary>
    public Action<string>? SyncDirectory { get; init; }
    /// <summary>Where a slot marked good is recorded for the boot loader to fall back on when its
    /// own variables are lost (U-Boot boards); null: the boot loader needs none (x86-64's GRUB).</summary>
    public ILastGoodRecord? LastGood { get; init; }
    /// <summary>Why the last-good record could not be written at this boot's mark-good; null: it was,
    /// or it already said so.</summary>
    public string? LastGoodProblem { get; private set; }
    string Dir => Path.GetDirectoryName(UploadPath)!;
    /// <summary>Raised after the job changed (the status LED shows an update under way).</summary>
    public event Action? Changed;
    /// <summary>This boot found that an update did not start and the box came back to this slot.</summary>
    public bool FellBackThisBoot { get; private set; }
    /// <summary>This boot's health check: "pending", "good", or why not.</summary>
    public string BootCheck { get { lock (gate) return bootCheck; } }

    /// <summary>Claims the updater for an upload; false while another one is under way.</summary>
    public bool TryBeginUpload()
    {
        lock (gate)
        {
            if (job.Busy) return false;
            job = new FirmwareJob("receiving");
        }
        Changed?.Invoke();
        return true;
    }

    /// <summary>The upload did not arrive whole (the client went away, the body was too large).</summary>
    public void UploadFailed(string code, string message)
    {
        tool.Discard(UploadPath);
        Set(new FirmwareJob("failed", null, code, message));
    }

    /// <summary>Checks the received bundle; when it is accepted, starts installing it and returns
    /// at once (the job says how it goes).</summary>
    public BundleVerdict CheckAndInstall(bool force)
    {
        Set(new FirmwareJob("checking"));
        var (info, error) = tool.Inspect(UploadPath);
        var verdict = info is null ? BundleCheck.Unreadable(error ?? "") : BundleCheck.Decide(info, Compatible, RunningVersion, force);
        if (!verdict.Accepted)
        {
            tool.Discard(UploadPath);
            Set(new FirmwareJob("refused", verdict.Bundle?.Version, verdict.Code, verdict.Message));
            return verdict;
        }
        var bundle = verdict.Bundle!;
        string version = bundle.Version;
        Set(new FirmwareJob("installing", version, verdict.Code, verdict.Message));
        _ = Task.Run(() =>
        {
            if (Boot is not null && BeforeInstall(version) is { } problem)
            {
                tool.Discard(UploadPath);
                Set(new FirmwareJob("failed", version, "firmware/BACKUP_FAILED", problem));
                return;
            }
            var (ok, message) = tool.Install(UploadPath, bundle, p =>
            {
                // Only while still installing: a late line must not overwrite the outcome.
                lock (gate) if (job.State == "installing" && job.Version == version) job = job with { Progress = p };
            });
            tool.Discard(UploadPath);
            string note = "";
            if (ok && Boot is { } boot)
            {
                // Bookkeeping only: the slot is written and active either way; without the trial
                // the next boots cannot say what became of the update.
                try { Write(UpdateTrial.FileName, new UpdateTrial(boot.Slot, RunningVersion, version, boot.Id).Format()); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { note = $" (its outcome will not be reported: {e.Message})"; }
            }
            Set(ok
                ? new FirmwareJob("installed", version, "firmware/INSTALLED", $"routerd {version} is written to the other slot; it runs after a reboot{note}")
                : new FirmwareJob("failed", version, "firmware/INSTALL_FAILED", message));
        });
        return verdict;
    }

    /// <summary>After this boot's health check passed: the boot loader stops counting the running
    /// slot's tries (an installed update is committed). Until then a reset boots it again only as
    /// many times as it has tries left, then the other slot.</summary>
    public bool MarkGood()
    {
        var (ok, message) = tool.MarkGood();
        lock (gate) bootCheck = ok ? "good" : $"mark-good failed: {message}";
        if (ok && Boot is { } running && LastGood is { } record) RecordLastGood(record, running.Slot);
        if (ok && Boot is { } boot && Read(UpdateTrial.FileName) is { } text && UpdateTrial.Parse(text) is { } trial
            && UpdateOutcome.RunningTrial(trial, boot.Slot, boot.Id))
            Conclude(UpdateOutcome.Succeeded(trial));
        return ok;
    }

    /// <summary>The running slot, now good, becomes the boot loader's fallback; written only when the
    /// record says otherwise. Its failure leaves the slot marked good (the boot loader's variables
    /// say so) and is reported, not fatal.</summary>
    void RecordLastGood(ILastGoodRecord record, string slot)
    {
        try
        {
            if (LastGoodSlot.ToWrite(record.Read(), slot) is { } text) record.Write(text);
            LastGoodProblem = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LastGoodProblem = e.Message;
        }
    }

    /// <summary>At start: a trial installed before an earlier boot whose slot is running again
    /// fell back (boot-trial gave up on the new slot, or the boot loader did).</summary>
    public void ConcludeTrial()
    {
        if (Boot is not { } boot || Read(UpdateTrial.FileName) is not { } text) return;
        if (UpdateTrial.Parse(text) is not { } trial) { Delete(UpdateTrial.FileName); return; }
        if (UpdateOutcome.OnStart(trial, boot.Slot, boot.Id, Read(UpdateTrial.FailedFileName)) is { } outcome)
        {
            Conclude(outcome);
            FellBackThisBoot = outcome.State == UpdateOutcome.FellBack;
        }
    }

    /// <summary>The last install's outcome, kept until the next install.</summary>
    public UpdateOutcome? LastUpdate => Boot is null ? null : Read(UpdateOutcome.FileName) is { } t ? UpdateOutcome.Parse(t) : null;

    void Conclude(UpdateOutcome outcome)
    {
        Write(UpdateOutcome.FileName, outcome.Format());
        Delete(UpdateTrial.FileName);
        Delete(UpdateTrial.FailedFileName);
    }

    /// <summary>Before a slot is written: the settings backed up, an earlier trial and outcome
    /// gone (this install supersedes them). Returns why not, or null.</summary>
    string? BeforeInstall(string version)
    {
        try
        {
            if (SettingsJson is { } settings) Write($"settings-before-{version}.json", settings());
            Delete(UpdateTrial.FileName);
            Delete(UpdateTrial.FailedFileName);
            Delete(UpdateOutcome.FileName);
            SyncDirectory?.Invoke(Dir);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the settings could not be backed up before writing the slot: {e.Message}";
        }
    }

    string? Read(string name)
    {
        try { return File.ReadAllText(Path.Combine(Dir, name)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Written whole or not at all (temporary file, flushed, renamed), owner-only: the
    /// settings backup holds secrets.</summary>
    void Write(string name, string text)
    {
        Directory.CreateDirectory(Dir);
        string path = Path.Combine(Dir, name), tmp = path + ".tmp";
        using (var f = new FileStream(tmp, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            f.Write(System.Text.Encoding.UTF8.GetBytes(text));
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        SyncDirectory?.Invoke(Dir);
    }

    void Delete(string name)
    {
        try { File.Delete(Path.Combine(Dir, name)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The health check failed: the slot stays unconfirmed.</summary>
    public void Unhealthy(string reason) { lock (gate) bootCheck = $"unhealthy: {reason}"; }

    /// <summary>The running version, the booted slot and the other slot, as the tool reports them.</summary>
    public FirmwareStatus Status()
    {
        var (booted, slots) = tool.Status() is { } json ? RaucStatusJson.Parse(json) : (null, []);
        var other = slots.FirstOrDefault(s => !s.Booted);
        var last = LastUpdate;
        lock (gate) return new FirmwareStatus(RunningVersion, booted, bootCheck, other, job, last);
    }

    void Set(FirmwareJob next)
    {
        lock (gate) job = next;
        Changed?.Invoke();
    }
}
