using Xunit;
using Routerd.Core.Upgrade;

namespace Routerd.Tests.Upgrade;

public class FirmwareUpdaterTests
{
    sealed class FakeRauc : IFirmwareTool
    {
        public BundleInfo? Info;
        public string? Error;
        public readonly List<string> Calls = [];
        public readonly TaskCompletionSource Installed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string? StatusJson;

        public (BundleInfo? Info, string? Error) Inspect(string bundle) { Calls.Add("info"); return (Info, Error); }
        /// <summary>Set: Install reports this progress, then waits for <see cref="Finish"/>.</summary>
        public InstallProgress? Report;
        public readonly TaskCompletionSource Finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public (bool Ok, string Message) Install(string bundle, BundleInfo info, Action<InstallProgress> progress)
        {
            Calls.Add("install");
            if (Report is { } p)
            {
                progress(p);
                Installed.SetResult();
                Finish.Task.Wait(TimeSpan.FromSeconds(10));
            }
            else Installed.SetResult();
            return (true, "Installing done.");
        }
        public string? Status() => StatusJson;
        public bool MarkGoodOk = true;
        public (bool Ok, string Message) MarkGood() { Calls.Add("mark-good"); return (MarkGoodOk, MarkGoodOk ? "" : "rauc: D-Bus timeout"); }
        public void Discard(string bundle) => Calls.Add("discard");
    }

    static FirmwareUpdater Updater(FakeRauc rauc) => new(rauc, "routerd-x86-64", "0.1.0", "/data/firmware");

    [Fact]
    public void A_refused_bundle_is_discarded_and_nothing_is_installed()
    {
        var rauc = new FakeRauc { Info = new BundleInfo("routerd-rpi4", "0.2.0", null) };
        var updater = Updater(rauc);
        Assert.True(updater.TryBeginUpload());
        var verdict = updater.CheckAndInstall(force: false);
        Assert.Equal(BundleCheck.WrongBoard, verdict.Code);
        Assert.Equal(["info", "discard"], rauc.Calls);
        Assert.Equal("refused", updater.Job.State);
        Assert.Equal(BundleCheck.WrongBoard, updater.Job.Code);
    }

    [Fact]
    public async Task Progress_while_writing_shows_in_the_job_and_goes_once_installed()
    {
        var rauc = new FakeRauc { Info = new BundleInfo("routerd-x86-64", "0.1.1", null), Report = new InstallProgress("writing", 40, "Copying image to rootfs.1") };
        var updater = Updater(rauc);
        updater.TryBeginUpload();
        Assert.True(updater.CheckAndInstall(force: false).Accepted);
        await rauc.Installed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new FirmwareJob("installing", "0.1.1", BundleCheck.Accepted, "routerd 0.1.1 for routerd-x86-64, signature good", rauc.Report), updater.Job);
        rauc.Finish.SetResult();
        await Settled(updater);
        Assert.Equal("installed", updater.Job.State);
        Assert.Null(updater.Job.Progress);
    }

    [Theory]
    [InlineData("  0% Installing", 0, "Installing")]
    [InlineData(" 40% Copying image to rootfs.1", 40, "Copying image to rootfs.1")]
    [InlineData("100% Installing done.", 100, "Installing done.")]
    public void Raucs_progress_lines_are_read(string line, int percent, string detail) =>
        Assert.Equal(new InstallProgress("writing", percent, detail), InstallProgress.FromRaucLine(line));

    [Theory]
    [InlineData("installing")]
    [InlineData("idle")]
    [InlineData("Installing `/data/firmware/upload.raucb` succeeded")]
    [InlineData("1000% nonsense")]
    [InlineData("% nothing")]
    [InlineData("")]
    public void Raucs_other_lines_are_not_progress(string line) => Assert.Null(InstallProgress.FromRaucLine(line));

    [Fact]
    public void A_bad_signature_is_refused_before_install()
    {
        var rauc = new FakeRauc { Error = "signature verification failed" };
        var updater = Updater(rauc);
        updater.TryBeginUpload();
        Assert.Equal(BundleCheck.BadSignature, updater.CheckAndInstall(force: true).Code);
        Assert.DoesNotContain("install", rauc.Calls);
    }

    [Fact]
    public async Task An_accepted_bundle_is_installed_in_the_background_and_only_one_upload_runs_at_a_time()
    {
        var rauc = new FakeRauc { Info = new BundleInfo("routerd-x86-64", "0.1.1", null) };
        var updater = Updater(rauc);
        Assert.True(updater.TryBeginUpload());
        Assert.False(updater.TryBeginUpload());
        Assert.True(updater.CheckAndInstall(force: false).Accepted);
        await rauc.Installed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Settled(updater);
        Assert.Equal("installed", updater.Job.State);
        Assert.Equal("0.1.1", updater.Job.Version);
        Assert.Equal(["info", "install", "discard"], rauc.Calls);
        Assert.True(updater.TryBeginUpload());
    }

    [Fact]
    public void Status_names_the_booted_slot_and_the_other_one()
    {
        var rauc = new FakeRauc
        {
            StatusJson = """
                {"compatible":"routerd-x86-64","variant":"","booted":"B","boot_primary":"rootfs.1","slots":[
                 {"rootfs.0":{"class":"rootfs","device":"/dev/vda2","type":"ext4","bootname":"A","state":"inactive","parent":null,"mountpoint":null,"boot_status":"good"}},
                 {"rootfs.1":{"class":"rootfs","device":"/dev/vda3","type":"ext4","bootname":"B","state":"booted","parent":null,"mountpoint":"/","boot_status":"good",
                   "slot_status":{"bundle":{"compatible":"routerd-x86-64","version":"0.1.1"},"installed":{"timestamp":"2026-12-02T14:00:00Z","count":1},"status":"ok"}}}]}
                """,
        };
        var updater = Updater(rauc);
        Assert.True(updater.MarkGood());
        var status = updater.Status();
        Assert.Equal("B", status.BootedSlot);
        Assert.Equal("good", status.BootCheck);
        Assert.Equal(new SlotView("A", null, false, "good", null), status.Other);
        Assert.Equal("idle", status.Job.State);
    }

    /// <summary>Issue 22's bookkeeping across boots, in a real directory: boot 1 on slot A installs
    /// 0.1.1 (settings backed up first, the trial written after); the next boot is the caller's.</summary>
    static (FirmwareUpdater Installed, string Dir) InstalledOnA(string? settings = "{\"wifi\":{\"ssid\":\"home\"}}")
    {
        string dir = Path.Combine(Path.GetTempPath(), "routerd-fw-" + Guid.NewGuid().ToString("N"));
        var rauc = new FakeRauc { Info = new BundleInfo("routerd-x86-64", "0.1.1", null) };
        var updater = new FirmwareUpdater(rauc, "routerd-x86-64", "0.1.0", dir)
        {
            Boot = new BootIdentity("A", "boot-1"),
            SettingsJson = settings is null ? null : () => settings,
        };
        Assert.True(updater.TryBeginUpload());
        Assert.True(updater.CheckAndInstall(force: false).Accepted);
        Settled(updater).GetAwaiter().GetResult();
        Assert.Equal("installed", updater.Job.State);
        return (updater, dir);
    }

    /// <summary>Waits (up to 5 s) for the background install to end: it goes on writing into the
    /// state directory after the tool's install call returns.</summary>
    static async Task Settled(FirmwareUpdater updater)
    {
        for (int i = 0; i < 250 && updater.Job.State == "installing"; i++) await Task.Delay(20);
    }

    [Fact]
    public async Task The_backup_and_the_cleared_outcome_are_made_durable_before_the_slot_is_written()
    {
        // A power cut during the write must find the backup under its own name and no stale outcome
        // of the last update: the directory is synced after both, before the tool writes the slot.
        string dir = Path.Combine(Path.GetTempPath(), "routerd-fw-" + Guid.NewGuid().ToString("N"));
        string outcome = Path.Combine(dir, UpdateOutcome.FileName), backup = Path.Combine(dir, "settings-before-0.1.1.json");
        var rauc = new FakeRauc { Info = new BundleInfo("routerd-x86-64", "0.1.1", null) };
        var updater = new FirmwareUpdater(rauc, "routerd-x86-64", "0.1.0", dir)
        {
            Boot = new BootIdentity("A", "boot-1"),
            SettingsJson = () => "{}",
            SyncDirectory = d => rauc.Calls.Add($"sync {d}: outcome {File.Exists(outcome)}, backup {File.Exists(backup)}"),
        };
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(outcome, "the last update's outcome\n");
            Assert.True(updater.TryBeginUpload());
            Assert.True(updater.CheckAndInstall(force: false).Accepted);
            await rauc.Installed.Task.WaitAsync(TimeSpan.FromSeconds(5));
            var calls = rauc.Calls.ToList();
            int install = calls.IndexOf("install");
            Assert.True(install > 0, string.Join(", ", calls));
            Assert.Equal($"sync {dir}: outcome False, backup True", calls[install - 1]);
        }
        finally
        {
            // The job writes its outcome after the install call: removing the directory meanwhile
            // failed with "Directory not empty" (CI, stop 33).
            await Settled(updater);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    static FirmwareUpdater NextBoot(string dir, string slot, string version, string bootId, string? statusJson = null)
    {
        var u = new FirmwareUpdater(new FakeRauc { StatusJson = statusJson }, "routerd-x86-64", version, dir) { Boot = new BootIdentity(slot, bootId) };
        u.ConcludeTrial();
        return u;
    }

    [Fact]
    public void The_settings_are_backed_up_owner_only_before_the_slot_is_written_and_the_trial_names_where_it_came_from()
    {
        var (_, dir) = InstalledOnA();
        try
        {
            string backup = Path.Combine(dir, "settings-before-0.1.1.json");
            Assert.Equal("{\"wifi\":{\"ssid\":\"home\"}}", File.ReadAllText(backup));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
            Assert.Equal(new UpdateTrial("A", "0.1.0", "0.1.1", "boot-1"), UpdateTrial.Parse(File.ReadAllText(Path.Combine(dir, UpdateTrial.FileName))));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Back_on_the_old_slot_after_a_reboot_the_status_says_the_update_did_not_start_and_why()
    {
        var (_, dir) = InstalledOnA();
        try
        {
            // Before the reboot (same boot, routerd restarted): nothing is concluded yet.
            Assert.Null(NextBoot(dir, "A", "0.1.0", "boot-1").LastUpdate);
            // boot-trial gave up on B and left its reason; the next boot is A again.
            File.WriteAllText(Path.Combine(dir, UpdateTrial.FailedFileName), "routerd kept exiting at start\n");
            var back = NextBoot(dir, "A", "0.1.0", "boot-3");
            Assert.Equal(new UpdateOutcome("fell-back", "0.1.1", "0.1.0", "The update to 0.1.1 did not start correctly; the router went back to 0.1.0: routerd kept exiting at start."), back.LastUpdate);
            Assert.Equal(back.LastUpdate, back.Status().LastUpdate);
            Assert.False(File.Exists(Path.Combine(dir, UpdateTrial.FileName)));
            Assert.False(File.Exists(Path.Combine(dir, UpdateTrial.FailedFileName)));
            // It stays said on later boots, until the next install.
            Assert.Equal("fell-back", NextBoot(dir, "A", "0.1.0", "boot-4").LastUpdate?.State);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_new_slot_that_never_ran_its_health_check_is_reported_as_such()
    {
        var (_, dir) = InstalledOnA();
        try
        {
            var back = NextBoot(dir, "A", "0.1.0", "boot-2");
            Assert.Equal($"The update to 0.1.1 did not start correctly; the router went back to 0.1.0: {UpdateOutcome.NeverStarted}.", back.LastUpdate?.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_new_slot_reports_updated_only_once_its_health_check_marked_it_good()
    {
        var (_, dir) = InstalledOnA();
        try
        {
            var onB = NextBoot(dir, "B", "0.1.1", "boot-2");
            Assert.Null(onB.LastUpdate);
            Assert.True(File.Exists(Path.Combine(dir, UpdateTrial.FileName)));   // boot-trial still guards this boot
            Assert.True(onB.MarkGood());
            Assert.Equal(new UpdateOutcome("updated", "0.1.1", "0.1.0", "Updated to 0.1.1 (from 0.1.0)."), onB.LastUpdate);
            Assert.False(File.Exists(Path.Combine(dir, UpdateTrial.FileName)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("from_slot=A\nfrom_version=0.1.0\nto_version=0.1.1\n")]
    [InlineData("from_slot=A B\nfrom_version=0.1.0\nto_version=0.1.1\nboot_id=x\n")]
    [InlineData("")]
    public void A_torn_or_odd_trial_names_no_slot(string text) => Assert.Null(UpdateTrial.Parse(text));
    /// <summary>The boot partition's last-good record as a fake: its text, and each write.</summary>
    sealed class FakeRecord : ILastGoodRecord
    {
        public string? Text;
        public readonly List<string> Writes = [];
        public bool Fails;
        public string? Read() => Text;
        public void Write(string text)
        {
            if (Fails) throw new IOException("Read-only file system");
            Writes.Add(text);
            Text = text;
        }
    }

    static FirmwareUpdater OnSlot(FakeRecord? record, string slot, bool markGoodOk = true) =>
        new(new FakeRauc { MarkGoodOk = markGoodOk }, "routerd-rpi4", "0.1.0", "/nonexistent/firmware")
        {
            Boot = new BootIdentity(slot, "boot-1"),
            LastGood = record,
        };

    [Fact]
    public void Marking_slot_a_good_records_a_first_for_the_boot_loader()
    {
        var record = new FakeRecord();
        Assert.True(OnSlot(record, "A").MarkGood());
        Assert.Equal([LastGoodSlot.Text("A")!], record.Writes);
        Assert.Contains("\nBOOT_ORDER=A B\n", "\n" + record.Text);
    }

    [Fact]
    public void After_an_upgrade_to_b_the_record_names_b_first()
    {
        var record = new FakeRecord { Text = LastGoodSlot.Text("A") };
        Assert.True(OnSlot(record, "B").MarkGood());
        Assert.Single(record.Writes);
        Assert.EndsWith("\nBOOT_ORDER=B A\n", record.Text);
    }

    /// <summary>The SD card is written only when the record changes, not at every boot.</summary>
    [Fact]
    public void A_record_that_already_names_the_running_slot_is_not_written_again()
    {
        var record = new FakeRecord { Text = LastGoodSlot.Text("B") };
        Assert.True(OnSlot(record, "B").MarkGood());
        Assert.Empty(record.Writes);
        var updater = OnSlot(record, "A");
        updater.MarkGood();
        updater.MarkGood();
        Assert.Equal([LastGoodSlot.Text("A")!], record.Writes);
    }

    [Fact]
    public void Nothing_is_recorded_when_mark_good_fails_or_the_slot_is_not_a_or_b()
    {
        var record = new FakeRecord();
        Assert.False(OnSlot(record, "A", markGoodOk: false).MarkGood());
        Assert.True(OnSlot(record, "C").MarkGood());
        Assert.True(OnSlot(record, "A\nBOOT_ORDER=B").MarkGood());
        Assert.Empty(record.Writes);
        Assert.Null(LastGoodSlot.Text("a"));
    }

    /// <summary>x86-64's board has no record (GRUB keeps its own fallback): the updater is built
    /// without one and marking good writes nothing anywhere.</summary>
    [Fact]
    public void A_board_without_a_record_only_marks_the_slot_good()
    {
        var rauc = new FakeRauc();
        var updater = new FirmwareUpdater(rauc, "routerd-x86-64", "0.1.0", "/nonexistent/firmware") { Boot = new BootIdentity("B", "boot-1") };
        Assert.True(updater.MarkGood());
        Assert.Equal(["mark-good"], rauc.Calls);
        Assert.Null(updater.LastGoodProblem);
    }

    [Fact]
    public void A_record_that_cannot_be_written_leaves_the_slot_good_and_says_why()
    {
        var updater = OnSlot(new FakeRecord { Fails = true }, "B");
        Assert.True(updater.MarkGood());
        Assert.Equal("good", updater.BootCheck);
        Assert.Equal("Read-only file system", updater.LastGoodProblem);
    }
}
