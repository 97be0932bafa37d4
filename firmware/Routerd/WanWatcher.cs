using Microsoft.Extensions.Hosting;
using Routerd.Core.Loop;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Wan;

namespace Routerd;

/// <summary>Tells the loop about the WAN port's carrier (netlink link events: a cable cut shows as
/// wan/LINK_DOWN at once, and its return redials PPPoE without waiting out the backoff).</summary>
sealed class WanWatcher(INetworkObserver network, Router router) : BackgroundService
{
    /// <summary>Starts once the first apply has brought the ports up.</summary>
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        await router.Applied.WaitAsync(stop);
        foreach (var link in network.Links()) router.Post(new CarrierChanged(link.Name, link.LowerUp));
        await foreach (var e in network.WatchAsync(stop))
            if (e is LinkEvent { Deleted: false } l) router.Post(new CarrierChanged(l.Link.Name, l.Link.LowerUp));
    }
}
