using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Wan;

/// <summary>A fixed address the user typed: routerd puts it and its gateway on the WAN port, and
/// the WAN is up as far as routerd can tell.</summary>
public sealed class StaticProtocol : WanProtocol, IWanHandler
{
    public override string Mode => WanModes.Static;

    public override (InterfaceAddress Address, DefaultRoute? Route)? PortAddress(WanPlan wan, WanLease? lease) =>
        wan.StaticAddress is { } a ? (new(wan.Device, a), wan.StaticGateway is { } g ? new(wan.Device, g) : null) : null;

    public override IWanHandler NewHandler(WanContext context) => this; // nothing to remember

    public WanStep? Handle(RouterEvent e, WanPlan wan, WanLease? lease) => null;

    public WanStatus Status(WanPlan wan, string egress, WanLease? lease) =>
        new(wan.Mode, egress, WanCodes.Up, wan.StaticAddress?.ToString(), wan.StaticGateway is { } g ? Ipv4Network.Format(g) : null, wan.Dns);
}
