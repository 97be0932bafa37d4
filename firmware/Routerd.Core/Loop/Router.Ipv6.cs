using Microsoft.Extensions.Logging;
using Routerd.Core.Ipv6;

namespace Routerd.Core.Loop;

/// <summary>IPv6 over the DHCP and static WANs: dhcpcd's hook reports (Ipv6/DhcpcdRenderer.cs) become the
/// DHCPv6 lease, and the LAN's prefixes follow it (Ipv6/Ipv6Lan.cs).</summary>
public sealed partial class Router
{
    Dhcp6Lease? v6;
    string? v6Reason;
    bool v6HadPrefix;

    /// <summary>dhcpcd's hook reported (tests and tools; the control socket posts <see cref="Dhcp6Hook"/>).</summary>
    public void OnDhcp6Event(Dhcp6HookReport report) => Send(new Dhcp6Hook(report));

    object? OnDhcp6(Dhcp6HookReport report)
    {
        if (!state.Ipv6.Enabled || report.Interface != state.Wan.Device) return null;
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

    /// <summary>A lease belongs to the WAN port it was taken on (DHCP and static WANs run the same
    /// dhcpcd there, so switching between them keeps it), to a mode with a DHCPv6 client, and to IPv6 being on.</summary>
    Dhcp6Lease? KeptV6(Routerd.Core.Settings.DesiredState next) =>
        next.Ipv6.Enabled && next.Wan.Mode is Routerd.Core.Settings.WanModes.Dhcp or Routerd.Core.Settings.WanModes.Static
        && v6?.Interface == next.Wan.Device ? v6 : null;

    Ipv6Status Ipv6StatusNow() => Ipv6Codes.Decide(state, v6, v6Reason, v6HadPrefix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored a malformed DHCPv6 report: {Reason}")]
    static partial void LogBadDhcp6(ILogger log, string reason);
    [LoggerMessage(Level = LogLevel.Information, Message = "WAN DHCPv6 {Event}: delegated prefix {Prefix}")]
    static partial void LogPrefix(ILogger log, string @event, string prefix);
}
