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
}
