using Xunit;
using Routerd.Core.Upgrade;

namespace Routerd.Tests.Upgrade;

public class BundleCheckTests
{
    const string X86 = "routerd-x86-64";

    [Fact]
    public void A_newer_bundle_for_this_board_is_accepted()
    {
        var v = BundleCheck.Decide(new BundleInfo(X86, "0.1.1", null), X86, "0.1.0", force: false);
        Assert.True(v.Accepted);
        Assert.Equal(BundleCheck.Accepted, v.Code);
    }

    [Fact]
    public void Another_boards_bundle_is_refused_even_when_forced()
    {
        var v = BundleCheck.Decide(new BundleInfo("routerd-rpi4", "0.2.0", null), X86, "0.1.0", force: true);
        Assert.False(v.Accepted);
        Assert.Equal(BundleCheck.WrongBoard, v.Code);
        Assert.Contains("routerd-rpi4", v.Message);
    }

    [Theory]
    [InlineData("0.1.0")]
    [InlineData("0.0.9")]
    public void An_older_or_the_same_version_is_refused_unless_forced(string version)
    {
        var refused = BundleCheck.Decide(new BundleInfo(X86, version, null), X86, "0.1.0", force: false);
        Assert.Equal(BundleCheck.NotNewer, refused.Code);
        Assert.True(BundleCheck.Decide(new BundleInfo(X86, version, null), X86, "0.1.0", force: true).Accepted);
    }

    [Fact]
    public void A_version_that_is_not_one_is_refused_even_when_forced() =>
        Assert.Equal(BundleCheck.BadVersion, BundleCheck.Decide(new BundleInfo(X86, "latest", null), X86, "0.1.0", force: true).Code);

    [Theory]
    [InlineData("signature verification failed: CMS_verify: error:1C800064:Provider routines::bad decrypt", BundleCheck.BadSignature)]
    [InlineData("Failed to verify bundle: certificate verify failed", BundleCheck.BadSignature)]
    [InlineData("Failed to open bundle: File size 12 too small", BundleCheck.NotABundle)]
    public void Rauc_refusals_are_told_apart(string error, string code)
    {
        var v = BundleCheck.Unreadable(error);
        Assert.False(v.Accepted);
        Assert.Equal(code, v.Code);
    }

    [Fact]
    public void Reads_rauc_info_json()
    {
        var info = BundleInfoJson.Parse("""{"compatible":"routerd-x86-64","version":"0.1.1","description":"d","build":"20261202T140000Z","hooks":[],"images":[{"rootfs":{"filename":"rootfs.ext4"}}]}""");
        Assert.Equal(new BundleInfo(X86, "0.1.1", "20261202T140000Z"), info);
        Assert.Null(BundleInfoJson.Parse("not json"));
        Assert.Null(BundleInfoJson.Parse("""{"compatible":"x"}"""));
    }

    /// <summary>rauc 1.8's info JSON for a bundle image/rauc-bundle.sh made (its image's hash and
    /// size are what the written slot is read back against).</summary>
    [Fact]
    public void Reads_the_root_images_hash_and_size_from_rauc_info()
    {
        var info = BundleInfoJson.Parse("""
            {"compatible":"routerd-x86-64","version":"0.1.0","description":"routerd 0.1.0 for x86-64","build":"20261202T192625Z","hooks":[],
             "images":[{"rootfs":{"variant":null,"filename":"rootfs.ext4","checksum":"874078139F3B756527045f96cdb171d02e46007b27acbd07d260eb8ab27ccf94","size":671088640,"hooks":[],"adaptive":[]}}]}
            """);
        Assert.Equal(new SlotImage("874078139f3b756527045f96cdb171d02e46007b27acbd07d260eb8ab27ccf94", 671088640), info?.Image);
        Assert.Null(BundleInfoJson.Parse("""{"compatible":"x","version":"1","images":[{"rootfs":{"checksum":"12","size":5}}]}""")?.Image);
    }

    [Fact]
    public void The_other_slots_device_is_the_one_rauc_status_does_not_call_booted()
    {
        const string status = """
            {"booted":"A","slots":[
             {"rootfs.0":{"class":"rootfs","device":"/dev/vda2","bootname":"A","state":"booted"}},
             {"rootfs.1":{"class":"rootfs","device":"/dev/vda3","bootname":"B","state":"inactive"}}]}
            """;
        Assert.Equal("/dev/vda3", RaucStatusJson.OtherDevice(status));
        Assert.Null(RaucStatusJson.OtherDevice("""{"slots":[]}"""));
        Assert.Null(RaucStatusJson.OtherDevice("nonsense"));
    }
}
