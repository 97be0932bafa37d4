using Routerd.Core.Settings;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Qos;

namespace Routerd.Core.Wan;

/// <summary>Which interface carries internet traffic: the WAN port itself, or for PPPoE the
/// PPP interface that pppd creates on top of it.</summary>
public static class WanInterfaces
{
    public const string PppInterface = "ppp-wan";

    public static string Egress(DesiredState state) => WanProtocols.For(state.Wan.Mode).Egress(state.Wan);

    /// <summary>The PPP interface exists only while a session is up (its ip-up report is the
    /// lease); the WAN port itself always does.</summary>
    public static bool EgressExists(DesiredState state, WanLease? lease) => WanProtocols.For(state.Wan.Mode).EgressExists(lease);

    /// <summary>Where PPPoE discovery and pppd's plugin run: the WAN port, or in PPPoE mode with a
    /// VLAN ID the VLAN device on it (the access concentrator answers only tagged frames then).</summary>
    public static string PppoePort(WanPlan wan) =>
        wan.Mode == WanModes.Pppoe && wan.Plan<PppoePlan>() is { } p ? p.Port(wan.Device) : wan.Device;

    /// <summary>The VLAN device PPPoE needs on the WAN port, if any (NetworkPlan creates it).</summary>
    public static Net.VlanLink? Vlan(WanPlan wan) =>
        wan.Mode == WanModes.Pppoe && wan.Plan<PppoePlan>() is { VlanId: { } id } p ? new(p.Port(wan.Device), wan.Device, id) : null;
}
