using Routerd.Core.Net;
using Xunit;

namespace Routerd.Tests.Net;

/// <summary>The download tree's IFB (Qos/TcRenderer.cs) through the network diff: made and
/// brought up once, owned, removed when the plan drops it; one someone else made is used, kept.</summary>
public class IfbDiffTests
{
    static NetworkPlan Plan(bool ifb) =>
        new NetworkPlan("br-lan", ["lan1"], ["wan0", "lan1", "br-lan", .. ifb ? (string[])["ifb-down"] : []],
            [new("br-lan", Ipv4Network.Parse("192.168.1.1/24"))], null)
        { Ifbs = ifb ? ["ifb-down"] : [] };

    readonly TextKernel kernel = new("lo", "wan0", "lan1");
    NetworkOwnership owned = NetworkOwnership.None;

    IReadOnlyList<string> Step(NetworkPlan plan)
    {
        var change = NetworkDiff.Compute(plan, kernel.Observe(), owned);
        kernel.Run(change.Commands);
        owned = NetworkOwnership.Parse(change.Owned.ToText()); // as the adapter keeps it across a restart
        Assert.Empty(change.Missing);
        return change.Commands;
    }

    static IEnumerable<string> Of(IEnumerable<string> commands) => commands.Where(c => c.Contains("ifb", StringComparison.Ordinal));

    [Fact]
    public void The_ifb_is_made_up_once_and_removed_when_the_plan_drops_it()
    {
        Assert.Equal(["link add ifb-down type ifb", "link set dev ifb-down up"], Of(Step(Plan(true))));
        Assert.Equal(["ifb-down"], owned.Ifbs);
        Assert.Empty(Step(Plan(true)));
        Assert.Equal(["link del dev ifb-down"], Step(Plan(false)));
        Assert.False(kernel.Has("ifb-down"));
        Assert.Empty(Step(Plan(false)));
    }

    [Fact]
    public void An_ifb_someone_else_made_is_used_but_never_removed()
    {
        kernel.Run(["link add ifb-down type ifb"]);
        Assert.Equal(["link set dev ifb-down up"], Of(Step(Plan(true))));
        Assert.Empty(owned.Ifbs);
        Assert.Empty(Of(Step(Plan(false))));
        Assert.True(kernel.Has("ifb-down"));
    }
}
