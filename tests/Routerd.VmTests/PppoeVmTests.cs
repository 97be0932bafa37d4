using System.Globalization;
using Xunit;

namespace Routerd.VmTests;

/// <summary>routerd's PPPoE against a real access concentrator on the guest's kernel
/// (scenarios/routerd-pppoe.sh). The scenario itself fails on any broken behaviour; these check
/// the values it brought back.</summary>
[Collection(VmSuite.Name)]
public sealed class PppoeVmTests(VmSuiteFixture vm)
{
    const string Scenario = "routerd-pppoe";

    double Seconds(string name) => double.Parse(vm.Passed(Scenario).Value(name) ?? "", CultureInfo.InvariantCulture);

    [Fact]
    public void The_ppp_interface_gets_an_address_from_the_isp() =>
        Assert.StartsWith("100.64.0.", vm.Passed(Scenario).Value("ppp_address"));

    [Fact]
    public void The_password_is_in_no_arguments_log_or_answer() =>
        Assert.Equal("yes", vm.Passed(Scenario).Value("password_hidden"));

    [Fact]
    public void Ten_megabytes_come_through_nat_over_ppp_without_path_mtu_discovery() =>
        Assert.True(Seconds("download_s") > 0);

    /// <summary>3 s echoes, 3 may go unanswered, then one unanswered goodbye of 1 s: pppd gives
    /// up within 13 s. The margin is for a busy, emulated machine, not a target.</summary>
    [Fact]
    public void A_dead_server_is_noticed_within_the_echo_window() =>
        Assert.InRange(Seconds("dead_peer_s"), 0, 13 + 15);

    [Fact]
    public void Every_lost_session_came_back_on_its_own()
    {
        Assert.True(Seconds("padt_redial_s") > 0);
        Assert.True(Seconds("recover_s") > 0);
        Assert.True(Seconds("link_recover_s") > 0);
    }

    [Fact]
    public void Wrong_password_dials_back_off()
    {
        var waits = (vm.Passed(Scenario).Value("auth_waits") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => double.Parse(w, CultureInfo.InvariantCulture)).ToList();
        Assert.True(waits.Count >= 3 && waits[0] < waits[1] && waits[1] < waits[2], string.Join(", ", waits));
    }
}
