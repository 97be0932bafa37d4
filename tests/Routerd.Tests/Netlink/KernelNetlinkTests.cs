using System.Diagnostics;
using System.Net;
using Routerd.Core.Net;
using Routerd.Platform.Netlink;
using Xunit;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Tests.Netlink;

/// <summary>Against the running kernel. In the test host's own namespace these only read;
/// anything that changes links, addresses or routes happens in a namespace the test creates.</summary>
public class KernelNetlinkTests
{
    private readonly NetlinkObserver _observer = new();

    [Fact]
    public void Current_namespace_has_loopback_as_link_1_with_127_0_0_1()
    {
        var loopback = Assert.Single(_observer.Links(), link => link.Name == "lo");
        Assert.Equal(1, loopback.Index);
        Assert.Contains(_observer.Addresses(), address =>
            address.InterfaceIndex == 1 && address.Address.Equals(IPAddress.Loopback) && address.PrefixLength == 8 && address.Scope == AddressScope.Host);
        // Read only for the absence of errors: their content depends on the machine.
        _observer.Ipv4Routes();
        _observer.Neighbours();
    }

    [Fact]
    public async Task Watch_ends_on_cancellation_without_waiting_for_an_event()
    {
        using var cancel = new CancellationTokenSource();
        var watch = _observer.WatchAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);
        var clock = Stopwatch.StartNew();
        cancel.CancelAfter(200);

        try
        {
            while (await watch.MoveNextAsync()) { } // whatever the machine announces meanwhile
        }
        catch (OperationCanceledException)
        {
        }

        await watch.DisposeAsync();
        // What is tested is that the watch ends instead of blocking in recv until the kernel next
        // has something to say. The bound is generous: the unit tier runs its classes in parallel
        // on two cores, and a continuation there once waited 1.2 s for a thread (CI, 1,417 ms).
        Assert.InRange(clock.ElapsedMilliseconds, 0, 5000);
    }

    [Fact]
    public async Task Sees_links_addresses_neighbours_and_routes_appear_in_a_private_namespace()
    {
        using var ns = TestNamespace.Create();

        // Proves the thread is inside the fresh namespace before anything in it is changed.
        Assert.Equal(["lo"], ns.Run(_observer.Links).Select(link => link.Name));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var added = ns.Run(() => CollectUntil(_observer.WatchAsync(timeout.Token), seen =>
            seen.OfType<LinkEvent>().Any(e => e.Link is { Name: "rdtest0", Kind: "veth", AdminUp: true }) &&
            seen.OfType<AddressEvent>().Any(e => e.Address.Address.Equals(IPAddress.Parse("10.99.0.1"))) &&
            seen.OfType<NeighbourEvent>().Any(e => e.Neighbour.Address.Equals(IPAddress.Parse("10.99.0.2")))));

        ns.Ip("link add rdtest0 type veth peer name rdtest1");
        ns.Ip("link set rdtest1 up");
        ns.Ip("link set rdtest0 up");
        ns.Ip("addr add 10.99.0.1/24 dev rdtest0");
        ns.Ip("neigh add 10.99.0.2 lladdr 02:00:00:00:00:01 dev rdtest0 nud permanent");
        ns.Ip("route add default via 10.99.0.254");

        var events = await added;
        Assert.DoesNotContain(events, e => e.Deleted);
        var link = Assert.Single(ns.Run(_observer.Links), l => l.Name == "rdtest0");
        Assert.Equal(new LinkInfo(link.Index, "rdtest0", link.Mac, true, true, 1500, null, "veth"), link);
        Assert.Contains(new AddressInfo(link.Index, IPAddress.Parse("10.99.0.1"), 24, AddressScope.Universe), ns.Run(_observer.Addresses));
        Assert.Contains(new NeighbourInfo(link.Index, IPAddress.Parse("10.99.0.2"), MacAddress.Parse("02:00:00:00:00:01"), NeighbourState.Permanent), ns.Run(_observer.Neighbours));
        var routes = ns.Run(_observer.Ipv4Routes);
        Assert.Contains(new RouteInfo(null, IPAddress.Parse("10.99.0.254"), link.Index, Protocol: 3), routes);      // RTPROT_BOOT
        Assert.Contains(new RouteInfo(Ipv4Network.Parse("10.99.0.0/24"), null, link.Index, Protocol: 2), routes); // RTPROT_KERNEL
        Assert.DoesNotContain(routes, route => route.Destination is { } d && d.Address == Ipv4Network.Parse("10.99.0.1/32").Address); // local table

        var deleted = ns.Run(() => CollectUntil(_observer.WatchAsync(timeout.Token), seen =>
            seen.OfType<LinkEvent>().Any(e => e is { Deleted: true, Link.Name: "rdtest0" })));
        ns.Ip("link del rdtest0");
        await deleted;
    }

    [Fact]
    public void Finds_an_nf_tables_table_by_family_and_name_in_a_private_namespace()
    {
        using var ns = TestNamespace.Create();
        Assert.False(ns.Run(() => NetlinkObserver.NfTableExists(NetlinkInterop.NFPROTO_INET, "routerd")));

        ns.Exec("nft add table ip routerd");
        ns.Exec("nft add table inet routerd2");
        Assert.False(ns.Run(() => NetlinkObserver.NfTableExists(NetlinkInterop.NFPROTO_INET, "routerd"))); // other family, other name

        ns.Exec("nft add table inet routerd");
        Assert.True(ns.Run(() => NetlinkObserver.NfTableExists(NetlinkInterop.NFPROTO_INET, "routerd")));
        Assert.False(NetlinkObserver.NfTableExists(NetlinkInterop.NFPROTO_INET, "routerd-not-in-the-test-host"));
    }

    [Fact]
    public void Lists_the_devices_that_carry_our_root_1_in_a_private_namespace()
    {
        using var ns = TestNamespace.Create();
        ns.Ip("link add rdtest0 type veth peer name rdtest1");
        ns.Ip("link add rdtest2 type veth peer name rdtest3");
        ns.Ip("link add rdtest4 type veth peer name rdtest5");
        ns.Exec("tc qdisc add dev rdtest0 root handle 1: htb default 20");
        ns.Exec("tc class add dev rdtest0 parent 1: classid 1:6 htb rate 1mbit");
        ns.Exec("tc qdisc add dev rdtest0 parent 1:6 handle 6: pfifo");
        ns.Exec("tc qdisc add dev rdtest1 root handle 1: pfifo_fast"); // an unshaped port's bands
        ns.Exec("tc qdisc add dev rdtest2 root handle 5: htb"); // someone else's tree
        ns.Exec("tc qdisc add dev rdtest3 root handle 1: tbf rate 1mbit burst 10kb latency 50ms");
        ns.Exec("tc qdisc add dev rdtest4 root pfifo_fast"); // a kernel-numbered one, not ours

        var withTree = ns.Run(() => Routerd.Platform.Tc.QdiscRoots.DevicesWithTree(_observer.Links(), NetlinkObserver.Qdiscs()));

        Assert.Equal(["rdtest0", "rdtest1"], withTree.Order());
    }

    /// <summary>TcQueues deletes only roots that can be deleted: anything a tc command put there
    /// (ours, someone else's, a kernel-numbered one), never the kernel's default (handle 0:),
    /// for which `tc qdisc del root` is a process that can only fail.</summary>
    [Fact]
    public void Lists_the_devices_whose_root_is_not_the_kernels_default()
    {
        using var ns = TestNamespace.Create();
        ns.Ip("link add rdtest0 type veth peer name rdtest1");
        ns.Ip("link add rdtest2 type veth peer name rdtest3");
        ns.Exec("tc qdisc add dev rdtest0 root handle 1: htb default 20");
        ns.Exec("tc qdisc add dev rdtest1 root handle 5: tbf rate 1mbit burst 10kb latency 50ms");
        ns.Exec("tc qdisc add dev rdtest2 root pfifo_fast"); // kernel-numbered (8001:), still deletable
        ns.Exec("tc qdisc add dev rdtest3 clsact"); // not a root; rdtest3's root stays the default

        var withRoot = ns.Run(() => Routerd.Platform.Tc.QdiscRoots.DevicesWithOwnRoot(_observer.Links(), NetlinkObserver.Qdiscs()));

        Assert.Equal(["rdtest0", "rdtest1", "rdtest2"], withRoot.Order());
        ns.Exec("tc qdisc del dev rdtest2 root"); // the default comes back
        Assert.DoesNotContain("rdtest2", ns.Run(() => Routerd.Platform.Tc.QdiscRoots.DevicesWithOwnRoot(_observer.Links(), NetlinkObserver.Qdiscs())));
    }

    /// <summary>Called on the namespace thread: runs synchronously up to its first wait, which
    /// is after the observer has opened its sockets there.</summary>
    private static async Task<List<NetworkEvent>> CollectUntil(IAsyncEnumerable<NetworkEvent> events, Func<List<NetworkEvent>, bool> done)
    {
        var seen = new List<NetworkEvent>();
        await foreach (var change in events)
        {
            seen.Add(change);
            if (done(seen)) break;
        }

        return seen;
    }
}
