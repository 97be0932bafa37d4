using Routerd.Core.Firewall;

namespace Routerd.Core.FastPath;

/// <summary>The fast path's part of <c>table inet routerd</c>: the flowtable, declared whenever the
/// kernel has one (FastPathDecision.FlowtableDevices says why), and the statements that offload to
/// it, only while the fast path is on. What may be offloaded is what conntrack counts outside the
/// VIP lane (Firewall/ConnectionCounting.cs: an offloaded packet skips the forward chain's sets, so
/// only conntrack can count it).</summary>
public static class FlowtableRenderer
{
    public const string Name = "fastpath";

    static string Quote(string name) => $"\"{name}\"";

    // The rules take the fast path's devices (FastPathDecision.Devices), null when it is off.

    /// <summary>The flowtable, in the table's declarations (its devices: FastPathDecision.FlowtableDevices).</summary>
    public static string Declaration(IReadOnlyList<string>? devices) => devices is null ? "" : $$"""
        	flowtable {{Name}} {
        		hook ingress priority filter
        		devices = { {{string.Join(", ", devices.Select(Quote))}} }
        		counter
        	}


        """;

    /// <summary>The offload statement, in the upload's fast exit for the bulk of a counted
    /// connection (NftRenderer), which accepts before <see cref="UploadOffload"/>.</summary>
    public static string Offload(IReadOnlyList<string>? devices) => devices is null ? "" : $"flow add @{Name} ";

    /// <summary>After the VIP lane's rules (whose packets have left the chain by then): the offload
    /// of the rest of a counted connection (its acknowledgements, UDP).</summary>
    public static string UploadOffload(IReadOnlyList<string>? devices) => devices is null ? "" : $"""
        		ct mark & {ConnectionCounting.CountedOrVip} == {ConnectionCounting.CountedMark} flow add @{Name} comment "established connections outside the VIP lane take the flowtable (nothing is shaped); conntrack counts them there"

        """;
}
