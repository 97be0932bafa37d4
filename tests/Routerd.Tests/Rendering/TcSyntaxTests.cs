using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Routerd.Tests.Netlink;
using Xunit;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Rendering;

/// <summary>The golden queue plans are accepted by the real tc and kernel, in a throwaway
/// network namespace with a veth device for each name the plan uses.</summary>
public partial class TcSyntaxTests
{
    /// <summary>The golden cases whose leaf is the plain fifo: the host kernel has neither cake
    /// nor fq_codel, so the plans that use them are applied by the lab VM's tests instead.</summary>
    public static TheoryData<string> FifoCases() => new(GoldenTests.Names().Where(name =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name, "input.json")))!["leafQdisc"] is null));

    [Theory]
    [MemberData(nameof(FifoCases))]
    public void Golden_queue_plan_passes_tc(string name)
    {
        string batch = Path.Combine(AppContext.BaseDirectory, "Golden", name, "expected", "tc.batch");
        var devices = DeviceName().Matches(File.ReadAllText(batch)).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(devices);
        using var ns = TestNamespace.Create();
        // veth, not dummy: not every kernel builds the dummy driver.
        foreach (var (device, i) in devices.Select((d, i) => (d, i)))
        {
            ns.Ip($"link add {device} type veth peer name rdpeer{i}");
            ns.Ip($"link set {device} up");
        }
        ns.Exec($"tc -batch {batch}"); // throws with tc's complaint when it refuses a line
    }

    /// <summary>pfifo_fast picks its band from the low four bits of skb->priority through a
    /// fixed priomap (the kernel's prio2band, as `tc qdisc show` prints it): the VIP class id
    /// must land in band 0, the bulk class with unmarked traffic in band 1.</summary>
    [Fact]
    public void The_vip_class_is_pfifo_fasts_first_band()
    {
        int[] priomap = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
        static int Minor(string classId) => Convert.ToInt32(classId[(classId.IndexOf(':') + 1)..], 16);
        Assert.Equal(0, priomap[Minor(NftRenderer.VipClass) & 15]);
        Assert.Equal(1, priomap[Minor(TcRenderer.BulkClass) & 15]);
        Assert.Equal(1, priomap[0]);
    }

    [GeneratedRegex(@"\bdev (\S+)")]
    private static partial Regex DeviceName();
}
