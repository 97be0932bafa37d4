using Xunit;

namespace Routerd.VmTests;

/// <summary>The tier's own proof, on top of the scenarios' exit status: values they wrote into
/// their results directory reached the host through the 9p share.</summary>
[Collection(VmSuite.Name)]
public sealed class SmokeTests(VmSuiteFixture vm)
{
    [Fact]
    public void The_guest_booted_the_Debian_kernel_and_finished_the_suite()
    {
        Assert.True(vm.Result.SuiteCompleted, vm.Result.Summary() + "\n" + vm.Result.Console);
        Assert.NotNull(vm.Result.BootSeconds);
        Assert.Contains("-amd64", vm.Result.Console); // boot.sh prints `uname -r`
    }

    [Fact]
    public void A_PPPoE_client_gets_its_address_from_the_ISP_pool()
    {
        var s = vm.Passed("pppoe-session");
        Assert.StartsWith("100.64.0.", s.Value("ppp0_address"));
    }

    [Fact]
    public void Routerd_in_the_guest_leases_a_LAN_address_to_the_phone()
    {
        var s = vm.Passed("routerd-serve");
        Assert.StartsWith("192.168.1.", s.Value("phone_address"));
    }
}
