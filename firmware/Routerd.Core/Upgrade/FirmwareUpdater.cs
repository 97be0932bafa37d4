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
    /// <summary>This boot's health check: "pending", "good", or why not.</summary>
    public string BootCheck { get { lock (gate) return bootCheck; } }

    /// <summary>Claims the updater for an upload; false while another one is under way.</summary>
    public bool TryBeginUpload()
    {
        lock (gate)
        {
            if (job.Busy) return false;
            job = new FirmwareJob("receiving");
            return true;
        }
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
        string version = verdict.Bundle!.Version;
        Set(new FirmwareJob("installing", version, verdict.Code, verdict.Message));
        _ = Task.Run(() =>
        {
            var (ok, message) = tool.Install(UploadPath);
            tool.Discard(UploadPath);
            Set(ok
                ? new FirmwareJob("installed", version, "firmware/INSTALLED", $"routerd {version} is written to the other slot; it runs after a reboot")
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
        return ok;
    }

    /// <summary>The health check failed: the slot stays unconfirmed.</summary>
    public void Unhealthy(string reason) { lock (gate) bootCheck = $"unhealthy: {reason}"; }

    /// <summary>The running version, the booted slot and the other slot, as the tool reports them.</summary>
    public FirmwareStatus Status()
    {
        var (booted, slots) = tool.Status() is { } json ? RaucStatusJson.Parse(json) : (null, []);
        var other = slots.FirstOrDefault(s => !s.Booted);
        lock (gate) return new FirmwareStatus(RunningVersion, booted, bootCheck, other, job);
    }

    void Set(FirmwareJob next) { lock (gate) job = next; }
}
