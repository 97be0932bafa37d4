using System.Globalization;

namespace Routerd.Core.Wan;

/// <summary>The validated PPPoE account and dialling policy (from <see cref="PppoeRules"/>).</summary>
public sealed record PppoePlan(
    string Username,
    Secret Password,
    /// <summary>Null: any service the access concentrator offers.</summary>
    string? ServiceName,
    /// <summary>Null: the first access concentrator that answers.</summary>
    string? AcName,
    int Mtu,
    int LcpEchoIntervalSeconds,
    int LcpEchoFailures,
    TimeSpan RedialInitial,
    TimeSpan RedialMax,
    /// <summary>Router local time of the daily forced redial; null: none.</summary>
    TimeOnly? ReconnectAt,
    /// <summary>The 802.1Q tag PPPoE runs in; null: untagged, on the WAN port itself.</summary>
    int? VlanId = null) : IWanProtocolPlan
{
    /// <summary>Linux's limit on an interface name (IFNAMSIZ 16, with the terminating zero).</summary>
    public const int MaxInterfaceName = 15;

    /// <summary>Where PPPoE's frames go: the WAN port, or its VLAN device named as vconfig and
    /// most distributions name them (eth1.7).</summary>
    public string Port(string wanDevice) => VlanId is { } id ? VlanDevice(wanDevice, id) : wanDevice;

    public static string VlanDevice(string wanDevice, int id) => $"{wanDevice}.{id.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The largest PPP MTU plain Ethernet carries: 1500 minus the 8-byte PPPoE header.</summary>
    public const int EthernetMtu = 1492;
    public const int PppoeHeader = 8;

    /// <summary>An MTU above 1492 needs RFC 4638: the WAN port must carry MTU + 8.</summary>
    public int? ParentMtu => Mtu > EthernetMtu ? Mtu + PppoeHeader : null;

    /// <summary>The longest a dead peer goes unnoticed: pppd gives up when the echo after
    /// <see cref="LcpEchoFailures"/> unanswered ones is due, and hangs up a second later
    /// (lcp-restart 1, one unanswered Terminate-Request).</summary>
    public TimeSpan DeadPeerWindow => TimeSpan.FromSeconds(LcpEchoIntervalSeconds * (LcpEchoFailures + 1) + 1);
}
