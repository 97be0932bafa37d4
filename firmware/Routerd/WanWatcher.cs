using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Routerd.Core.Loop;
using Routerd.Core.Firewall;
using Routerd.Core.Ipv6;
using Routerd.Core.Net;
using Routerd.Core.Wan;

namespace Routerd;

/// <summary>Tells the loop about the WAN port's carrier (netlink link events: a cable cut shows as
/// wan/LINK_DOWN at once, and its return redials PPPoE without waiting out the backoff), and about
/// global IPv6 addresses coming and going: the WAN's address from router advertisements (SLAAC,
/// the usual one over PPPoE) reaches the status only this way.</summary>
sealed class WanWatcher(INetworkObserver network, Router router) : BackgroundService
{
    /// <summary>Starts once the first apply has brought the ports up.</summary>
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        await router.Applied.WaitAsync(stop);
        // Addresses name their interface by index: the names follow the link events (a PPP
        // interface gets a new index with every session).
        var names = new Dictionary<int, string>();
        foreach (var link in network.Links())
        {
            names[link.Index] = link.Name;
            router.Post(new CarrierChanged(link.Name, link.LowerUp));
        }
        DumpAddresses(names);
        await foreach (var e in network.WatchAsync(stop))
        {
            switch (e)
            {
                case LinkEvent { Deleted: false } l:
                    names[l.Link.Index] = l.Link.Name;
                    router.Post(new CarrierChanged(l.Link.Name, l.Link.LowerUp));
                    break;
                case LinkEvent { Deleted: true } l:
                    names.Remove(l.Link.Index);
                    break;
                case AddressEvent a when Global6(a.Address, names) is { } address:
                    router.Post(new Address6Changed(address, a.Deleted));
                    break;
                case EventsLost:
                    // Deletions in the gap are not replayed: the loop takes the whole list afresh.
                    names = network.Links().ToDictionary(l => l.Index, l => l.Name);
                    DumpAddresses(names);
                    break;
            }
        }
    }

    void DumpAddresses(Dictionary<int, string> names) =>
        router.Post(new Addresses6Dumped(network.Addresses().Select(a => Global6(a, names)).OfType<InterfaceAddress6>().ToList()));

    static InterfaceAddress6? Global6(AddressInfo a, Dictionary<int, string> names) =>
        a.Address.AddressFamily == AddressFamily.InterNetworkV6 && a.Scope == AddressScope.Universe && names.TryGetValue(a.InterfaceIndex, out var device)
            ? new InterfaceAddress6(device, new Ipv6Prefix(Ipv6Prefix.ToUInt128(a.Address), a.PrefixLength))
            : null;
}
