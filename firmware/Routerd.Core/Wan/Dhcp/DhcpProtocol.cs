using Microsoft.Extensions.Logging;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Time;

namespace Routerd.Core.Wan;

/// <summary>The ISP's DHCP server gives the address: udhcpc (Dhcp/DhcpClientRenderer) reports
/// through its hook, and routerd puts the lease on the WAN port.</summary>
public sealed class DhcpProtocol : WanProtocol
{
    public override string Mode => WanModes.Dhcp;

    public override (InterfaceAddress Address, DefaultRoute? Route)? PortAddress(WanPlan wan, WanLease? lease) =>
        lease is not null && lease.Interface == wan.Device ? (new(wan.Device, lease.Address), lease.Gateway is { } g ? new(wan.Device, g) : null) : null;

    public override IWanHandler NewHandler(WanContext context) => new DhcpHandler(context);
}

/// <summary>udhcpc's hook reports, turned into the WAN lease.</summary>
sealed partial class DhcpHandler(WanContext context) : IWanHandler
{
    DhcpHookReport? leaseReport;
    /// <summary>When <see cref="leaseReport"/>'s lease runs out, on the monotonic clock: NTP stepping
    /// the date within a run must not make a running lease look over (or an old one still running).
    /// Only a lease remembered from before a restart is judged by its date (<see cref="Restore"/>).</summary>
    TimeSpan? leaseEnds;
    readonly MonotonicClock monotonic = new(context.Clock);
    string? lastEvent;

    public WanStep? Handle(RouterEvent e, WanPlan wan, WanLease? lease) => e switch
    {
        DhcpHook h => new WanStep(null, OnReport(h.Report, wan, lease)),
        _ => null,
    };

    WanLease? OnReport(DhcpHookReport report, WanPlan wan, WanLease? lease)
    {
        if (wan.Mode != WanModes.Dhcp || report.Interface != wan.Device) return lease;
        var now = context.Clock.GetUtcNow();
        report = report with { ReceivedAt = now };
        // udhcpc says "deconfig" when it starts, too: a restarted routerd (or DHCP client)
        // keeps an address whose lease still runs, until the server says otherwise (nak) or
        // it runs out. Only then is the WAN torn down.
        if (report.Event == "deconfig" && lastEvent != "nak" && leaseEnds > monotonic.Now)
        {
            lastEvent = report.Event;
            return lease;
        }
        lastEvent = report.Event;
        var next = Parse(report);
        if (next is null && report.Event is ("bound" or "renew")) return lease; // malformed: keep what we have
        leaseReport = next is null ? null : report;
        leaseEnds = monotonic.Now + (leaseReport?.Expires - now);
        context.LeaseMemory.Save(leaseReport);
        if (next == lease) return lease;
        LogLease(context.Log, report.Event, next?.ToString() ?? "none");
        return next;
    }

    public WanStatus Status(WanPlan wan, string egress, WanLease? lease) => lease is { } l
        ? new(wan.Mode, egress, WanCodes.Up, l.Address.ToString(), l.Gateway is { } g ? Ipv4Network.Format(g) : null, wan.Dns.Count > 0 ? wan.Dns : l.Dns)
        : new(wan.Mode, egress, WanCodes.Connecting, null, null, wan.Dns);

    public WanLease? Restore()
    {
        if (context.LeaseMemory.Load() is not { } report || report.Expires <= context.Clock.GetUtcNow()) return null;
        leaseReport = report;
        leaseEnds = monotonic.Now + (report.Expires - context.Clock.GetUtcNow());
        return Parse(report);
    }

    /// <summary>A DHCP lease belongs to the WAN port it was taken on: a new port or mode starts over.</summary>
    public WanLease? Kept(DesiredState next, WanLease? lease, RenderedConfig? applied) =>
        lease?.Interface == next.Wan.Device ? lease : null;

    WanLease? Parse(DhcpHookReport report)
    {
        try { return WanLeaseParser.Parse(report); }
        catch (FormatException e)
        {
            LogBadLease(context.Log, e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored a malformed DHCP lease report: {Reason}")]
    static partial void LogBadLease(ILogger log, string reason);
    [LoggerMessage(Level = LogLevel.Information, Message = "WAN DHCP {Event}: {Lease}")]
    static partial void LogLease(ILogger log, string @event, string lease);
}
