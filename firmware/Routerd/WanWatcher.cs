using Microsoft.Extensions.Hosting;
using Routerd.Core.Network;
using Routerd.Core.Reconcile;

namespace Routerd;

/// <summary>Tells the reconciler about the WAN port's carrier (netlink link events: a cable cut
/// shows as wan/LINK_DOWN at once, and its return redials PPPoE without waiting out the backoff),
/// and gives the daily PPPoE reconnect its chance once every 30 s.</summary>
sealed class WanWatcher(INetworkObserver network, Reconciler reconciler) : BackgroundService
{
    /// <summary>Starts once the first apply has brought the ports up.</summary>
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        await reconciler.Applied.WaitAsync(stop);
        await Task.WhenAll(Task.Run(() => WatchCarrier(stop), stop), Task.Run(() => Reconnect(stop), stop));
    }

    async Task WatchCarrier(CancellationToken stop)
    {
        foreach (var link in network.Links()) reconciler.OnWanCarrier(link.Name, link.LowerUp);
        await foreach (var e in network.WatchAsync(stop))
            if (e is LinkEvent { Deleted: false } l) reconciler.OnWanCarrier(l.Link.Name, l.Link.LowerUp);
    }

    async Task Reconnect(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        while (await timer.WaitForNextTickAsync(stop))
            reconciler.PppReconnectIfDue();
    }
}
