using Microsoft.Extensions.Hosting;
using Routerd.Core.Devices;
using Routerd.Core.Network;
using Routerd.Core.Reconcile;

namespace Routerd;

/// <summary>Feeds the device registry from two observers: neighbour-table events of the LAN
/// bridge (netlink) and dnsmasq's lease file (names, checked for changes once a second). After
/// each change the VIP sets follow the VIP devices' current addresses.</summary>
sealed class DeviceWatcher(INetworkObserver network, DeviceRegistry registry, Reconciler reconciler, string leaseFile) : BackgroundService
{
    /// <summary>Events can be lost (a full socket buffer drops them): a fresh dump this often
    /// puts the registry right again.</summary>
    static readonly TimeSpan Resync = TimeSpan.FromSeconds(15);

    /// <summary>Starts once the first apply has made the bridge: a neighbour dump before that
    /// would find no bridge, and the event that creates it could pass unseen.</summary>
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        await reconciler.Applied.WaitAsync(stop);
        await Task.WhenAll(Task.Run(() => WatchNeighbours(stop), stop), Task.Run(() => ResyncNeighbours(stop), stop), Task.Run(() => WatchLeases(stop), stop));
    }

    async Task ResyncNeighbours(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Resync);
        while (await timer.WaitForNextTickAsync(stop))
        {
            int bridge = BridgeIndex();
            registry.SetNeighbours(network.Neighbours().Where(n => n.InterfaceIndex == bridge));
            reconciler.RefreshVipAddresses();
        }
    }

    async Task WatchNeighbours(CancellationToken stop)
    {
        int bridge = BridgeIndex();
        registry.SetNeighbours(network.Neighbours().Where(n => n.InterfaceIndex == bridge));
        await foreach (var e in network.WatchAsync(stop))
        {
            switch (e)
            {
                case NeighbourEvent n when n.Neighbour.InterfaceIndex == bridge:
                    registry.Apply(n.Neighbour, n.Deleted);
                    reconciler.RefreshVipAddresses();
                    break;
                case LinkEvent l when l.Link.Name == reconciler.State.Lan.Bridge:
                    // The bridge was (re)created: its neighbours start over under the new index.
                    bridge = l.Deleted ? -1 : l.Link.Index;
                    registry.SetNeighbours(network.Neighbours().Where(n => n.InterfaceIndex == bridge));
                    break;
            }
        }
    }

    int BridgeIndex() => network.Links().FirstOrDefault(l => l.Name == reconciler.State.Lan.Bridge)?.Index ?? -1;

    async Task WatchLeases(CancellationToken stop)
    {
        DateTime seen = default;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            try
            {
                var info = new FileInfo(leaseFile);
                if (info.Exists && info.LastWriteTimeUtc != seen)
                {
                    seen = info.LastWriteTimeUtc;
                    registry.SetLeases(DnsmasqLeases.Parse(await File.ReadAllTextAsync(leaseFile, stop)));
                    reconciler.RefreshVipAddresses();
                }
            }
            catch (IOException) { /* mid-rewrite: next tick */ }
        } while (await timer.WaitForNextTickAsync(stop));
    }
}
