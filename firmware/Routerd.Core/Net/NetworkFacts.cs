using System.Net;

namespace Routerd.Core.Net;

// Facts the kernel reports about links, addresses, routes and neighbours. Produced by the
// netlink observer (Routerd.Platform/Netlink), consumed by the loop and the device list.

public sealed record LinkInfo(int Index, string Name, MacAddress? Mac, bool AdminUp, bool LowerUp, int Mtu, int? MasterIndex, string? Kind);

public sealed record AddressInfo(int InterfaceIndex, IPAddress Address, int PrefixLength, AddressScope Scope);

public enum AddressScope : byte { Universe = 0, Site = 200, Link = 253, Host = 254, Nowhere = 255 }

/// <summary>An IPv4 route of the main table; Destination null means the default route.</summary>
public sealed record RouteInfo(Ipv4Network? Destination, IPAddress? Gateway, int? OutputInterfaceIndex, byte Protocol);

/// <summary>An IPv6 default route of the main table through a gateway (RTA_PRIORITY is its metric).</summary>
public sealed record Ipv6DefaultRouteInfo(IPAddress Gateway, int OutputInterfaceIndex, uint Metric);

/// <summary>Kernel NUD states (include/uapi/linux/neighbour.h), kept as the kernel numbers them.</summary>
[Flags]
public enum NeighbourState : ushort
{
    None = 0x00, Incomplete = 0x01, Reachable = 0x02, Stale = 0x04, Delay = 0x08,
    Probe = 0x10, Failed = 0x20, NoArp = 0x40, Permanent = 0x80,
}

public sealed record NeighbourInfo(int InterfaceIndex, IPAddress Address, MacAddress? Mac, NeighbourState State);

/// <summary>Something changed; observers re-read what they need. Deleted=true for RTM_DEL*.</summary>
public abstract record NetworkEvent(bool Deleted);
public sealed record LinkEvent(LinkInfo Link, bool Deleted) : NetworkEvent(Deleted);
public sealed record NeighbourEvent(NeighbourInfo Neighbour, bool Deleted) : NetworkEvent(Deleted);
public sealed record AddressEvent(AddressInfo Address, bool Deleted) : NetworkEvent(Deleted);
/// <summary>The kernel dropped notifications (ENOBUFS): the events after this one announce what is
/// there now, but what was deleted in the gap is not replayed, so a consumer that keeps a table
/// of its own reads it afresh.</summary>
public sealed record EventsLost() : NetworkEvent(false);

/// <summary>Reads the kernel's view of the network of the namespace routerd runs in.</summary>
public interface INetworkObserver
{
    IReadOnlyList<LinkInfo> Links();
    IReadOnlyList<AddressInfo> Addresses();
    IReadOnlyList<RouteInfo> Ipv4Routes();
    /// <summary>IPv6 default routes via a gateway (the static IPv6 WAN's and others'); none by default.</summary>
    IReadOnlyList<Ipv6DefaultRouteInfo> Ipv6DefaultRoutes() => [];
    IReadOnlyList<NeighbourInfo> Neighbours();
    /// <summary>Link, address and neighbour changes as the kernel announces them, until cancelled.</summary>
    IAsyncEnumerable<NetworkEvent> WatchAsync(CancellationToken cancellationToken);
}
