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
}
