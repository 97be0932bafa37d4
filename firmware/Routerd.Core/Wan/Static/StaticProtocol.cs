using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Wan;

/// <summary>A fixed address the user typed: routerd puts it and its gateway on the WAN port, and
/// the WAN is up as far as routerd can tell.</summary>
public sealed class StaticProtocol : WanProtocol, IWanHandler
{
    public override string Mode => WanModes.Static;

    public override IWanProtocolPlan? Check(WanSettings wan, bool active, LanPlan? lan, List<string> dns, List<FieldError> errors) =>
        StaticRules.Build(wan.Static, active, lan, dns, errors);

    public override (InterfaceAddress Address, DefaultRoute? Route)? PortAddress(WanPlan wan, WanLease? lease) =>
        wan.Plan<StaticPlan>() is { } p ? (new(wan.Device, p.Address), new(wan.Device, p.Gateway)) : null;

    public override IWanHandler NewHandler(WanContext context) => this; // nothing to remember

    public WanStep? Handle(RouterEvent e, WanPlan wan, WanLease? lease) => null;

    public WanStatus Status(WanPlan wan, string egress, WanLease? lease) =>
        wan.Plan<StaticPlan>() is { } p
            ? new(wan.Mode, egress, WanCodes.Up, p.Address.ToString(), Ipv4Network.Format(p.Gateway), wan.Dns)
            : new(wan.Mode, egress, WanCodes.Up, null, null, wan.Dns);
}
