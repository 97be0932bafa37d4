using Microsoft.Extensions.Logging;
using Routerd.Core.Ipv6;
using Routerd.Core.Wan;

namespace Routerd.Core.Loop;

/// <summary>IPv6 over every WAN mode: dhcpcd's hook reports (Ipv6/DhcpcdRenderer.cs) become the
/// DHCPv6 lease, and the LAN's prefixes follow it (Ipv6/Ipv6Lan.cs). dhcpcd runs on the WAN's
/// egress: the port for DHCP and static, the PPP interface while a PPPoE session is up.</summary>
public sealed partial class Router
{
    Dhcp6Lease? v6;
    string? v6Reason;
    bool v6HadPrefix;
    /// <summary>The global IPv6 addresses the kernel reports (netlink events): where the WAN's own
    /// address from router advertisements (SLAAC) is seen, which no DHCPv6 report carries.</summary>
    readonly HashSet<Routerd.Core.Net.InterfaceAddress6> kernel6 = [];

    /// <summary>Only the status reads these: nothing is applied again.</summary>
    object? OnAddress6(Address6Changed e)
    {
        if (e.Deleted) kernel6.Remove(e.Address);
        else kernel6.Add(e.Address);
        return null;
    }

    object? OnAddresses6(IReadOnlyList<Routerd.Core.Net.InterfaceAddress6> now)
    {
        kernel6.Clear();
        kernel6.UnionWith(now);
        return null;
    }

    /// <summary>dhcpcd's hook reported (tests and tools; the control socket posts <see cref="Dhcp6Hook"/>).</summary>
    public void OnDhcp6Event(Dhcp6HookReport report) => Send(new Dhcp6Hook(report));

    object? OnDhcp6(Dhcp6HookReport report)
    {
        // Without a PPP session no dhcpcd runs: a report then is the stopped one's last word.
        if (!state.Ipv6.Enabled || state.Ipv6.Static is not null || report.Interface != WanInterfaces.Egress(state) || !WanInterfaces.EgressExists(state, lease)) return null;
        var now = clock.GetUtcNow();
        Dhcp6Lease? next;
        try { next = Dhcp6LeaseParser.Parse(report, now); }
        catch (FormatException e)
        {
            LogBadDhcp6(log, e.Message);
            return null; // malformed: keep what we have
        }
        v6Reason = report.Reason;
        if (next?.Prefix is not null) v6HadPrefix = true;
        else if (next is not null) v6HadPrefix = false; // a lease without a prefix: the provider offers none
        if (Equals(next, v6)) return null;
        if (next?.Prefix != v6?.Prefix) LogPrefix(log, report.Reason, next?.Prefix?.ToString() ?? "none");
        v6 = next;
        Reapply();
        return null;
    }

    /// <summary>A lease belongs to the interface it was taken on (DHCP and static WANs run the same
    /// dhcpcd on the port, so switching between them keeps it), to that interface existing (a
    /// PPP session that is up) and to IPv6 being on.</summary>
    Dhcp6Lease? KeptV6(Routerd.Core.Settings.DesiredState next, WanLease? nextLease) =>
        next.Ipv6.Enabled && next.Ipv6.Static is null && v6?.Interface == WanInterfaces.Egress(next) && WanInterfaces.EgressExists(next, nextLease) ? v6 : null;

    /// <summary>The WAN's lease changed: when the interface dhcpcd ran on went with it (a PPP session
    /// ended), so does everything learned over DHCPv6; the next session's dhcpcd starts afresh and
    /// the status says "connecting", not "prefix lost".</summary>
    void FollowV6(Routerd.Core.Settings.DesiredState next, WanLease? nextLease)
    {
        bool staticWan = next.Ipv6.Static is not null;
        if (WanInterfaces.EgressExists(next, nextLease) && !staticWan) return;
        // A static WAN has no dhcpcd: what it learned is gone, and so is "prefix lost" once back on automatic.
        if (v6 is not null) LogPrefix(log, staticWan ? "static IPv6" : "session down", "none");
        (v6, v6Reason, v6HadPrefix) = (null, null, false);
    }

    Ipv6Status Ipv6StatusNow() => Ipv6Codes.Decide(state, v6, v6Reason, v6HadPrefix, kernel6, WanInterfaces.EgressExists(state, lease));

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored a malformed DHCPv6 report: {Reason}")]
    static partial void LogBadDhcp6(ILogger log, string reason);
    [LoggerMessage(Level = LogLevel.Information, Message = "WAN DHCPv6 {Event}: delegated prefix {Prefix}")]
    static partial void LogPrefix(ILogger log, string @event, string prefix);
}
