using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Routerd.Core.Devices;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Wan;

namespace Routerd;

/// <summary>Turns two observers into the loop's events: neighbour-table events of the LAN bridge
/// (netlink) and dnsmasq's lease files (names; inotify says when they changed): the LAN's and the
/// guest network's (its own dnsmasq, Wifi/GuestDnsmasqRenderer), so that guests are in the device
/// list too. The loop updates the device registry and, once per burst, the VIP sets.</summary>
sealed class DeviceWatcher(INetworkObserver network, Router router, IReadOnlyList<string> leaseFiles) : BackgroundService
{
    /// <summary>Starts once the first apply has made the bridge: a neighbour dump before that
    /// would find no bridge, and the event that creates it could pass unseen.</summary>
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        await router.Applied.WaitAsync(stop);
        await Task.WhenAll(Task.Run(() => WatchNeighbours(stop), stop), Task.Run(() => WatchLeases(stop), stop));
    }

    void Dump(int bridge, IReadOnlySet<MacAddress> own) =>
        router.Post(new NeighboursDumped(network.Neighbours().Where(n => n.InterfaceIndex == bridge && !Own(n, own)).ToList()));

    async Task WatchNeighbours(CancellationToken stop)
    {
        var (bridge, own) = Links();
        Dump(bridge, own);
        await foreach (var e in network.WatchAsync(stop))
        {
            switch (e)
            {
                case NeighbourEvent n when n.Neighbour.InterfaceIndex == bridge && !Own(n.Neighbour, own):
                    router.Post(new NeighbourChanged(n.Neighbour, n.Deleted));
                    break;
                case LinkEvent l:
                    // A port joined or left the bridge, or the bridge took another MAC (it takes one
                    // of its ports'); the bridge (re)created: its neighbours start over under the new index.
                    var (before, ownBefore) = (bridge, own);
                    (bridge, own) = Links();
                    if (bridge != before || !own.SetEquals(ownBefore)) Dump(bridge, own);
                    break;
                case EventsLost:
                    // A full socket buffer dropped events (a neighbour's deletion among them,
                    // perhaps): the registry starts over from a dump, as at start. This replaces a
                    // periodic resync: the kernel says when events were lost.
                    (bridge, own) = Links();
                    Dump(bridge, own);
                    break;
            }
        }
    }

    /// <summary>The LAN bridge's index, and the MACs of the bridge and its ports: the router's own on
    /// the LAN. Not the WAN port's: an owner may give it a LAN computer's MAC (the ISP knows that
    /// one), and the computer is still a device.</summary>
    (int Bridge, HashSet<MacAddress> Own) Links()
    {
        var links = network.Links();
        int bridge = links.FirstOrDefault(l => l.Name == router.State.Lan.Bridge)?.Index ?? -1;
        return (bridge, links.Where(l => l.Mac is not null && (l.Index == bridge || l.MasterIndex == bridge))
            .Select(l => l.Mac!.Value).ToHashSet());
    }

    /// <summary>An entry with the router's own MAC on the LAN is the router itself, not a device:
    /// its router advertisements come back to it (multicast loopback) and leave one for the
    /// bridge's link-local address, which the device list showed as an unnamed device.</summary>
    static bool Own(NeighbourInfo n, IReadOnlySet<MacAddress> own) => n.Mac is { } mac && own.Contains(mac);

    /// <summary>dnsmasq rewrites its lease file in place on every lease change: inotify (through
    /// FileSystemWatcher, on the directory, which holds both files) says when, and the files are
    /// read once things are quiet for a moment, so a rewrite's truncation is not mistaken for "no
    /// leases". The loop gets all leases at once: the files are one list of devices.</summary>
    async Task WatchLeases(CancellationToken stop)
    {
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var names = leaseFiles.Select(Path.GetFileName).ToHashSet();
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(Path.GetFullPath(leaseFiles[0]))!)
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
        };
        FileSystemEventHandler poke = (_, e) => { if (names.Contains(e.Name)) changed.Writer.TryWrite(true); };
        watcher.Changed += poke;
        watcher.Created += poke;
        // The directory also holds the settings store, whose good copy is replaced by renames at
        // each save: only a rename onto or away from a lease file is news here.
        watcher.Renamed += (_, e) => { if (names.Contains(e.Name) || names.Contains(e.OldName)) changed.Writer.TryWrite(true); };
        watcher.Error += (_, _) => changed.Writer.TryWrite(true); // events were lost: read again
        watcher.EnableRaisingEvents = true;
        changed.Writer.TryWrite(true); // what is there already
        while (await changed.Reader.WaitToReadAsync(stop))
        {
            await Task.Delay(Settle, stop);
            changed.Reader.TryRead(out _);
            try
            {
                var present = leaseFiles.Where(File.Exists).ToList();
                var leases = new List<DhcpLease>();
                foreach (var file in present)
                    leases.AddRange(DnsmasqLeases.Parse(await File.ReadAllTextAsync(file, stop)));
                if (present.Count > 0) router.Post(new LeasesChanged(leases));
            }
            catch (IOException) { changed.Writer.TryWrite(true); /* mid-rewrite: once more */ }
        }
    }

    /// <summary>How long the lease file must stay unchanged before it is read.</summary>
    static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(50);
}
