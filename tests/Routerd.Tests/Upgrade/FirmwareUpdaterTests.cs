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
        public (bool Ok, string Message) Install(string bundle) { Calls.Add("install"); Installed.SetResult(); return (true, "Installing done."); }
        public string? Status() => StatusJson;
        public (bool Ok, string Message) MarkGood() { Calls.Add("mark-good"); return (true, ""); }
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
        for (int i = 0; i < 100 && updater.Job.State == "installing"; i++) await Task.Delay(20);
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
}
