using Microsoft.Extensions.Hosting;
using Routerd.Core.Devices;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Wan;

namespace Routerd;

/// <summary>Turns two observers into the loop's events: neighbour-table events of the LAN bridge
/// (netlink) and dnsmasq's lease file (names, checked for changes once a second). The loop updates
/// the device registry and, once per burst, the VIP sets.</summary>
sealed class DeviceWatcher(INetworkObserver network, Router router, string leaseFile) : BackgroundService
{
    /// <summary>Events can be lost (a full socket buffer drops them): a fresh dump this often
    /// puts the registry right again.</summary>
    static readonly TimeSpan Resync = TimeSpan.FromSeconds(15);

    /// <summary>Starts once the first apply has made the bridge: a neighbour dump before that
    /// would find no bridge, and the event that creates it could pass unseen.</summary>
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        await router.Applied.WaitAsync(stop);
        await Task.WhenAll(Task.Run(() => WatchNeighbours(stop), stop), Task.Run(() => ResyncNeighbours(stop), stop), Task.Run(() => WatchLeases(stop), stop));
    }

    void Dump(int bridge) => router.Post(new NeighboursDumped(network.Neighbours().Where(n => n.InterfaceIndex == bridge).ToList()));

    async Task ResyncNeighbours(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Resync);
        while (await timer.WaitForNextTickAsync(stop)) Dump(BridgeIndex());
    }

    async Task WatchNeighbours(CancellationToken stop)
    {
        int bridge = BridgeIndex();
        Dump(bridge);
        await foreach (var e in network.WatchAsync(stop))
        {
            switch (e)
            {
                case NeighbourEvent n when n.Neighbour.InterfaceIndex == bridge:
                    router.Post(new NeighbourChanged(n.Neighbour, n.Deleted));
                    break;
                case LinkEvent l when l.Link.Name == router.State.Lan.Bridge:
                    // The bridge was (re)created: its neighbours start over under the new index.
                    bridge = l.Deleted ? -1 : l.Link.Index;
                    Dump(bridge);
                    break;
            }
        }
    }

    int BridgeIndex() => network.Links().FirstOrDefault(l => l.Name == router.State.Lan.Bridge)?.Index ?? -1;

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
                    router.Post(new LeasesChanged(DnsmasqLeases.Parse(await File.ReadAllTextAsync(leaseFile, stop))));
                }
            }
            catch (IOException) { /* mid-rewrite: next tick */ }
        } while (await timer.WaitForNextTickAsync(stop));
    }
}
