using Routerd.Core.Firewall;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Core.Qos;

/// <summary>GET /api/qos: is the shaper on, at which rates, which leaf queue the kernel gave us,
/// and every VIP-lane queue with its classes' counters.</summary>
public sealed record QosView(bool ShaperOn, long? UploadKbit, long? DownloadKbit, string Leaf, IReadOnlyList<QueueView> Queues);

/// <summary>The queue on one device. Direction is "upload" on the WAN and "download" towards the
/// LAN; Classes are the VIP lane ("vip", 1:6) and everyone else ("bulk", 1:20), or for a shaped
/// download's cake its lane's tin and the other tins added up (CakeTinText). The acknowledgements'
/// class (1:7) is not listed. A port whose queue is pfifo_fast (no shaper, no AQM in the kernel)
/// has bands, not classes: none listed.</summary>
public sealed record QueueView(string Device, string Direction, IReadOnlyList<QueueClassView> Classes);

public sealed record QueueClassView(string Name, QueueClassStats Stats);

public static class QosReport
{
    public static QosView Build(DesiredState state, TcPlan plan, LeafQdisc leaf, IQueueStatsReader reader)
    {
        string wan = WanInterfaces.Egress(state);
        bool cakeDownload = TcRenderer.DownloadIsCake(state, leaf);
        var queues = plan.Devices.Select(dev => new QueueView(
            dev,
            dev == wan ? "upload" : "download",
            (cakeDownload && dev != wan ? reader.ReadTinStats(dev) : reader.ReadClassStats(dev))
                .Select(c => (Name: ClassName(c.ClassId), Stats: c))
                .Where(c => c.Name is not null)
                .OrderBy(c => c.Name == "vip" ? 0 : 1) // the kernel lists classes in its hash order
                .Select(c => new QueueClassView(c.Name!, c.Stats))
                .ToList())).ToList();
        return new QosView(plan.ShaperOn, state.Qos.UploadKbit, state.Qos.DownloadKbit, leaf.ToString().ToLowerInvariant(), queues);
    }

    static string? ClassName(string id) => id switch
    {
        NftRenderer.VipClass => "vip",
        TcRenderer.BulkClass => "bulk",
        _ => null, // the root class only adds the two up
    };
}
