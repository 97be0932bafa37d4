using Routerd.Vm;
using Xunit;
using Xunit.Abstractions;

namespace Routerd.VmTests;

/// <summary>Real power cuts (issue 18): a handful here, 200 in `./build.sh bench hardening`. The lab VM
/// is killed (SIGKILL of QEMU) at random moments while settings change through the API, with routerd's
/// state on a persistent disk whose cache mode keeps only what the guest's kernel wrote (PowerCuts.cs
/// says why); after every cut the router must boot, serve, and hold the last change it acknowledged.
/// Its own boots, not the suite's: this test does not share the suite's VM.</summary>
public sealed class PowerCutTests(ITestOutputHelper output)
{
    [Fact]
    public void After_every_cut_the_router_boots_serves_and_holds_the_last_acknowledged_change()
    {
        var r = PowerCuts.Run(cuts: 4, VmRunOptions.DefaultRouterd(), output.WriteLine, seed: 18);
        output.WriteLine(r.Summary());
        Assert.True(r.Problems.Count == 0, string.Join("\n", r.Problems));
        Assert.True(r.Acks > 0, "no change was acknowledged between the cuts: nothing was tested");
        Assert.Equal((0, 0), (r.LostAcks, r.FailedBoots));
    }
}
