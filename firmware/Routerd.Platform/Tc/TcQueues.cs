using Routerd.Core.Loop;
using Routerd.Platform.Netlink;
using Routerd.Platform.Processes;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Platform.Tc;

/// <summary>Installs the queueing plan with one `tc -batch`. The last applied plan is kept in
/// the run directory: replacing a root qdisc drops its queue and counters, so an unchanged plan
/// is never re-applied. Devices that leave the plan get their default qdisc back.</summary>
public sealed class TcQueues(string tc, string runDir) : ITrafficControl, IQueueStatsReader
{
    string AppliedFile => Path.Combine(runDir, "tc.batch");
    string DevicesFile => Path.Combine(runDir, "tc.devices");

    string LeafFile => Path.Combine(runDir, "tc.leaf");

    /// <summary>The probe costs a throwaway namespace and, for a qdisc the kernel lacks, a
    /// module request: a few hundred ms on a slow box. The kernel cannot change under a running
    /// system, so the answer is kept in the run directory (cleared at boot) and a restarted
    /// routerd starts without probing again.</summary>
    public LeafQdisc Leaf => leaf ??= Remembered() ?? Remember(Detect(tc));
    LeafQdisc? leaf;

    LeafQdisc? Remembered() =>
        File.Exists(LeafFile) && Enum.TryParse<LeafQdisc>(File.ReadAllText(LeafFile).Trim(), out var l) ? l : null;

    LeafQdisc Remember(LeafQdisc detected)
    {
        AtomicFile.Write(LeafFile, detected + "\n");
        return detected;
    }

    public bool Apply(TcPlan plan)
    {
        if (File.Exists(AppliedFile) && File.ReadAllText(AppliedFile) == plan.Batch && RootsPresent(plan)) return false;
        var previous = File.Exists(DevicesFile) ? File.ReadAllLines(DevicesFile) : [];
        // HTB cannot be changed in place: every tree is rebuilt, and a device that left the plan
        // keeps its default qdisc. A root that is not there is fine.
        foreach (var dev in previous.Union(plan.Devices))
            ProcessRunner.Run(tc, ["qdisc", "del", "dev", dev, "root"]);
        var r = ProcessRunner.Run(tc, ["-batch", "-"], plan.Batch);
        if (!r.Succeeded) throw new ApplyException("qos/TC_FAILED", r.StandardError.Trim());
        AtomicFile.Write(AppliedFile, plan.Batch);
        AtomicFile.Write(DevicesFile, string.Join('\n', plan.Devices) + "\n");
        return true;
    }

    /// <summary>A device without our tree (or gone) has no classes.</summary>
    public IReadOnlyList<QueueClassStats> ReadClassStats(string device)
    {
        var r = ProcessRunner.Run(tc, ["-s", "class", "show", "dev", device]);
        return r.Succeeded ? TcClassText.Parse(r.StandardOutput) : [];
    }

    /// <summary>A link that was re-created (a USB adapter replugged) lost its qdisc. Two netlink
    /// dumps (links, qdiscs) answer for every device at once, at every start and every apply.</summary>
    static bool RootsPresent(TcPlan plan)
    {
        var withTree = QdiscRoots.DevicesWithTree(new NetlinkObserver().Links(), NetlinkObserver.Qdiscs());
        return plan.Devices.All(withTree.Contains);
    }

    /// <summary>Kernels differ in which qdiscs they carry (our development hosts have neither
    /// cake nor fq_codel). Each is tried on the loopback of a throwaway network namespace, so
    /// the probe touches nothing of the router's.</summary>
    public static LeafQdisc Detect(string tc)
    {
        foreach (var (leaf, args) in new (LeafQdisc, string[])[] { (LeafQdisc.Cake, ["cake"]), (LeafQdisc.FqCodel, ["fq_codel"]) })
        {
            try
            {
                if (ProcessRunner.Run("unshare", ["--net", tc, "qdisc", "add", "dev", "lo", "root", .. args], timeout: TimeSpan.FromSeconds(5)).Succeeded)
                    return leaf;
            }
            catch (System.ComponentModel.Win32Exception) { break; } // no unshare: assume the least
        }
        return LeafQdisc.Fifo;
    }
}
