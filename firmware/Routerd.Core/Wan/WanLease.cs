using Routerd.Core.Net;

namespace Routerd.Core.Wan;

/// <summary>An observed fact: what the WAN's DHCP client (or pppd) was given. Not a setting:
/// it comes from the ISP and is reported by a hook.</summary>
public sealed record WanLease(string Interface, Ipv4Network Address, uint? Gateway, IReadOnlyList<string> Dns)
{
    public override string ToString() =>
        $"{Interface} {Address} gw {(Gateway is { } g ? Ipv4Network.Format(g) : "-")} dns [{string.Join(' ', Dns)}]";
}
