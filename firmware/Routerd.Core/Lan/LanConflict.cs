using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Lan;

/// <summary>A WAN lease inside the LAN's subnet (an ISP modem that is itself a router on
/// 192.168.1.x, common): with both on one subnet the router would hold two routes to it and a
/// default route through its own LAN address, and the LAN would lose the internet. Consumer
/// routers move their LAN out of the way; this decides where to: the next private /24 that
/// overlaps neither the WAN's subnet nor the LAN's current one (192.168.2.1, 192.168.3.1, …, then
/// 172.16.x, 10.x), keeping the router's host number, the DHCP pool's and every static lease's.</summary>
public static class LanConflict
{
    public const string MovedCode = "lan/MOVED";

    /// <summary>True when the lease's subnet and the LAN's overlap.</summary>
    public static bool Conflicts(Ipv4Network lan, Ipv4Network wan) => lan.Overlaps(wan);

    /// <summary>An owner's change that would put the LAN into the subnet of the address the WAN
    /// holds now is refused: the router would route the modem's subnet to the LAN, and then move the
    /// LAN straight out again. Only a changed LAN address is checked, so an unrelated change is never
    /// refused over it. Null when the new LAN is clear.</summary>
    public static FieldError? RefuseOwnerChange(string newLan, string currentLan, Ipv4Network? wan) =>
        wan is { } w && newLan != currentLan && Ipv4Network.TryParse(newLan, out var lan) && Conflicts(lan, w)
            ? new("lan.address", $"{lan.Network}/{lan.PrefixLength} holds the internet connection's address {w.Ip} right now ({w.Network}/{w.PrefixLength}): choose another subnet")
            : null;

    /// <summary>The LAN settings moved out of <paramref name="wan"/>'s subnet; null when the LAN
    /// does not overlap it (or, absurdly, no private /24 is free).</summary>
    /// <param name="guest">The guest Wi-Fi's subnet, if it is on: the LAN never moves onto it.</param>
    public static LanSettings? Resolve(LanSettings lan, Ipv4Network wan, Ipv4Network? guest = null)
    {
        if (!Ipv4Network.TryParse(lan.Address, out var current) || !Conflicts(current, wan)) return null;
        foreach (uint net in Candidates(current))
        {
            var next = new Ipv4Network(net | HostPart(current.Address, current), 24);
            if (next.Overlaps(wan) || next.Overlaps(current) || guest is { } g && next.Overlaps(g)) continue;
            return Move(lan, current, next);
        }
        return null;
    }

    /// <summary>Private /24 networks in the order a person would try them: the rest of
    /// 192.168.0.0/16 after the current third number, then from its start, then 172.16/12, then 10/8.</summary>
    static IEnumerable<uint> Candidates(Ipv4Network current)
    {
        const uint p192 = 0xC0A80000, p172 = 0xAC100000, p10 = 0x0A000000;
        uint third = (current.Address & 0xFFFF0000) == p192 ? (current.Address >> 8) & 0xFF : 0;
        for (uint i = 1; i <= 256; i++) yield return p192 | (((third + i) & 0xFF) << 8);
        for (uint i = 0; i < 16 * 256; i++) yield return p172 + (i << 8);
        for (uint i = 0; i < 256 * 256; i++) yield return p10 + (i << 8);
    }

    /// <summary>The last number of an address (its host part in a /24); the router's own number
    /// when that would be the network or broadcast address.</summary>
    static uint HostPart(uint address, Ipv4Network current)
    {
        uint host = address & 0xFF;
        return host is 0 or 255 ? 1 : host;
    }

    static LanSettings Move(LanSettings lan, Ipv4Network from, Ipv4Network to)
    {
        uint net = to.NetworkAddress;
        string Map(string address) =>
            Ipv4Network.TryParseAddress(address, out uint a) && from.Contains(a) ? Ipv4Network.Format(net | (a & 0xFF)) : address;
        var dhcp = lan.Dhcp;
        // A pool that does not fit one /24 (a /16 LAN's) starts over with the usual one.
        bool fits = Ipv4Network.TryParseAddress(dhcp.Start, out uint s) && Ipv4Network.TryParseAddress(dhcp.End, out uint e) &&
            (s & 0xFFFFFF00) == (e & 0xFFFFFF00) && (s & 0xFF) <= (e & 0xFF);
        var pool = fits
            ? dhcp with { Start = Map(dhcp.Start), End = Map(dhcp.End) }
            : dhcp with { Start = Ipv4Network.Format(net | 100), End = Ipv4Network.Format(net | 249) };
        if (!fits && (to.Address & 0xFF) is >= 100 and <= 249) pool = pool with { Start = Ipv4Network.Format(net | 2), End = Ipv4Network.Format(net | 99) };
        // Static leases keep their host numbers; one that would land on the router or on another's is dropped.
        var taken = new HashSet<string> { Ipv4Network.Format(to.Address) };
        var leases = lan.StaticLeases.Select(l => l with { Address = Map(l.Address) }).Where(l => taken.Add(l.Address)).ToList();
        return lan with { Address = to.ToString(), Dhcp = pool, StaticLeases = leases };
    }

    /// <summary>The sentence for the status and the owner's browser.</summary>
    /// <param name="devices">what the devices were told to do (<see cref="LanReconnect.Explain"/>).</param>
    public static string Explain(Ipv4Network wan, Ipv4Network oldLan, Ipv4Network newLan, string devices) =>
        $"The internet modem gave this router {wan.Ip} in {wan.Network}/{wan.PrefixLength}, the LAN's own subnet " +
        $"({oldLan.Network}/{oldLan.PrefixLength}): the LAN moved to {newLan.Ip}. {devices}";
}
