using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Platform.Netlink;
using Routerd.Platform.Processes;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Platform.Tc;

/// <summary>Installs the queueing plan with one `tc -batch`. The last applied plan is kept in
/// the run directory: replacing a root qdisc drops its queue and counters, so an unchanged plan
/// is never re-applied. Devices that leave the plan get their default qdisc back, and devices
/// whose egress was redirected into a tree lose the clsact that did it.</summary>
public sealed class TcQueues(string tc, string runDir) : ITrafficControl, IQueueStatsReader
{
    string AppliedFile => Path.Combine(runDir, "tc.batch");
    string DevicesFile => Path.Combine(runDir, "tc.devices");
    string RedirectsFile => Path.Combine(runDir, "tc.redirects");

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

    /// <summary>A redirect whose device does not exist is left out (the guest Wi-Fi's interface
    /// before hostapd makes it); applying the same plan again once it exists adds just its
    /// redirect, and so after hostapd re-created it, without rebuilding the trees (their
    /// counters are the owner's statistics).</summary>
    public bool Apply(TcPlan plan)
    {
        var links = new NetlinkObserver().Links();
        var qdiscs = NetlinkObserver.Qdiscs();
        var names = links.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var withClsact = QdiscRoots.DevicesWithClsact(links, qdiscs);
        var redirects = plan.Redirects.Where(r => names.Contains(r.Device)).ToList();
        if (File.Exists(AppliedFile) && File.ReadAllText(AppliedFile) == plan.Batch && RootsPresent(plan, links, qdiscs))
        {
            var lost = redirects.Where(r => !withClsact.Contains(r.Device)).ToList();
            if (lost.Count == 0) return false;
            Batch(string.Concat(lost.Select(r => r.Batch)));
            return true;
        }
        var previous = File.Exists(DevicesFile) ? File.ReadAllLines(DevicesFile) : [];
        var previousRedirects = File.Exists(RedirectsFile) ? File.ReadAllLines(RedirectsFile) : [];
        // Redirects first: nothing is sent into a tree while it is rebuilt or after it is gone.
        foreach (var dev in previousRedirects.Union(plan.Redirects.Select(r => r.Device)).Where(withClsact.Contains))
            ProcessRunner.Run(tc, ["qdisc", "del", "dev", dev, "clsact"]);
        // HTB cannot be changed in place: every tree is rebuilt, and a device that left the plan
        // keeps its default qdisc. Only a root someone made is deleted: the kernel's default (handle
        // 0:) cannot be, so asking was a tc process per device for nothing — at a first boot, every one.
        var withRoot = QdiscRoots.DevicesWithOwnRoot(links, qdiscs);
        foreach (var dev in previous.Union(plan.Devices).Where(withRoot.Contains))
            ProcessRunner.Run(tc, ["qdisc", "del", "dev", dev, "root"]);
        Batch(plan.Trees + string.Concat(redirects.Select(r => r.Batch)));
        AtomicFile.Write(AppliedFile, plan.Batch);
        AtomicFile.Write(DevicesFile, string.Join('\n', plan.Devices) + "\n");
        AtomicFile.Write(RedirectsFile, string.Join('\n', plan.Redirects.Select(r => r.Device)) + "\n");
        return true;
    }

    void Batch(string batch)
    {
        var r = ProcessRunner.Run(tc, ["-batch", "-"], batch);
        if (!r.Succeeded) throw new ApplyException("qos/TC_FAILED", r.StandardError.Trim());
    }

    /// <summary>A device without our tree (or gone) has no classes.</summary>
    public IReadOnlyList<QueueClassStats> ReadClassStats(string device)
    {
        var r = ProcessRunner.Run(tc, ["-s", "class", "show", "dev", device]);
        return r.Succeeded ? TcClassText.Parse(r.StandardOutput) : [];
    }

    /// <summary>A device without the download's cake (or gone) has no tins.</summary>
    public IReadOnlyList<QueueClassStats> ReadTinStats(string device)
    {
        var r = ProcessRunner.Run(tc, ["-s", "qdisc", "show", "dev", device]);
        return r.Succeeded ? CakeTinText.Parse(r.StandardOutput) : [];
    }

    /// <summary>A link that was re-created (a USB adapter replugged) lost its qdisc. Two netlink
    /// dumps (links, qdiscs) answer for every device at once, at every start and every apply.</summary>
    static bool RootsPresent(TcPlan plan, IReadOnlyList<LinkInfo> links, IReadOnlyList<QdiscInfo> qdiscs)
    {
        var withTree = QdiscRoots.DevicesWithTree(links, qdiscs);
        return plan.Devices.All(withTree.Contains);
    }

    /// <summary>Kernels differ in which qdiscs they carry (our development hosts have neither
    /// cake nor fq_codel). A qdisc whose module is loaded (<paramref name="modules"/>/sch_NAME:
    /// the images' modules-load.d loads sch_cake before routerd starts) is there; any other is
    /// tried on the loopback of a throwaway network namespace, so the probe touches nothing of the
    /// router's. The probe (a namespace made and torn down, unshare and tc started) took ~0.3-0.5 s
    /// of a first boot's start under TCG, on the first apply's way (issue 17).</summary>
    public static LeafQdisc Detect(string tc, string modules = "/sys/module")
    {
        foreach (var (leaf, args) in new (LeafQdisc, string[])[] { (LeafQdisc.Cake, ["cake"]), (LeafQdisc.FqCodel, ["fq_codel"]) })
        {
            if (Directory.Exists(Path.Combine(modules, "sch_" + args[0]))) return leaf;
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
