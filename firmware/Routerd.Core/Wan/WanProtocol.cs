using Microsoft.Extensions.Logging;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Wan;

/// <summary>One way of reaching the internet (like netifd's proto handlers): DHCP, static or
/// PPPoE, each in its folder. The pure part lives here — which interface carries the traffic and
/// what routerd itself puts on the WAN port — and <see cref="NewHandler"/> gives the part that
/// follows events (hooks, daemon exits, the carrier) and decides the status; <see cref="Check"/>
/// holds its settings rules. Adding a protocol is a folder with one of these and a line in
/// <see cref="WanProtocols.All"/>.</summary>
public abstract class WanProtocol
{
    public abstract string Mode { get; }

    /// <summary>Checks this protocol's block of the WAN settings and returns its part of the plan
    /// when <paramref name="active"/>. Inactive protocols check their block too: it is kept for
    /// the day the user switches back, and nothing invalid may wait in the store for that moment.
    /// A protocol that fixes upstream DNS servers adds them to <paramref name="dns"/>;
    /// <paramref name="lan"/> (null: not valid) is there for rules that depend on it.</summary>
    public virtual IWanProtocolPlan? Check(WanSettings wan, bool active, LanPlan? lan, List<string> dns, List<FieldError> errors) => null;

    /// <summary>The interface internet traffic leaves through.</summary>
    public virtual string Egress(WanPlan wan) => wan.Device;

    /// <summary>Whether <see cref="Egress"/> exists now (PPP: only while a session is up).</summary>
    public virtual bool EgressExists(WanLease? lease) => true;

    /// <summary>The address (and default route) routerd puts on the WAN port; null when there is
    /// none yet or the protocol's daemon sets its own (pppd).</summary>
    public virtual (InterfaceAddress Address, DefaultRoute? Route)? PortAddress(WanPlan wan, WanLease? lease) => null;

    /// <summary>The protocol's own control frames leave on the WAN port (or its VLAN device), not
    /// through <see cref="Egress"/>: that device, the tc filters that classify them (and why), or null.</summary>
    public virtual (string Device, string Why, string Filters)? PortControl(WanPlan wan) => null;

    public abstract IWanHandler NewHandler(WanContext context);
}

/// <summary>A protocol's own part of <see cref="WanPlan"/> (its settings, validated and typed).</summary>
public interface IWanProtocolPlan;

/// <summary>What a handler may use: the clock, the log, the hooks' target, the DHCP lease's memory
/// across restarts, pppd's adapter, the PPPoE discovery probe (a port and a time; it blocks, so
/// it runs off the loop's thread), and the loop's inbox for what such work finds out.</summary>
public sealed record WanContext(TimeProvider Clock, ILogger Log, HookTarget Hooks, IWanLeaseMemory LeaseMemory, IPppClient? Ppp,
    Func<string, TimeSpan, WanDetection>? Discover = null, Action<RouterEvent>? Post = null);

/// <summary>A handler's answer to an event: the answer for its sender, the lease from now on (a
/// different one re-applies what depends on it), and what to do after that apply.</summary>
public sealed record WanStep(object? Answer, WanLease? Lease, Action? Then = null);

/// <summary>The event-following half of a <see cref="WanProtocol"/>; one per protocol per router,
/// called on the loop's thread only.</summary>
public interface IWanHandler
{
    /// <summary>An event this protocol knows (its hooks, its daemon's exit, the carrier); null for any other.</summary>
    WanStep? Handle(RouterEvent e, WanPlan wan, WanLease? lease);

    /// <summary>The WAN's status while this protocol is the active one.</summary>
    WanStatus Status(WanPlan wan, string egress, WanLease? lease);

    /// <summary>Since when the connection is up, as the clock's monotonic timestamp (TimeProvider.GetTimestamp),
    /// when the protocol knows (a PPP session).</summary>
    long? UpSince => null;

    /// <summary>A lease remembered from before a restart, if it still runs.</summary>
    WanLease? Restore() => null;

    /// <summary>Whether the lease still holds under <paramref name="next"/> (the same port, the same daemon).</summary>
    WanLease? Kept(DesiredState next, WanLease? lease, RenderedConfig? applied) => null;

    /// <summary><paramref name="next"/> is about to be applied over <paramref name="applied"/>.</summary>
    void Applying(RenderedConfig next, RenderedConfig? applied) { }

    /// <summary>When this protocol wants a <see cref="Tick"/> next, if ever.</summary>
    DateTimeOffset? NextDeadline(WanPlan wan, DateTimeOffset now) => null;

    /// <summary>A timer fired.</summary>
    void Tick(WanPlan wan) { }
}

public static class WanProtocols
{
    public static readonly IReadOnlyList<WanProtocol> All = [new DhcpProtocol(), new StaticProtocol(), new PppoeProtocol()];

    /// <summary>The protocol of a validated mode.</summary>
    public static WanProtocol For(string mode) => All.FirstOrDefault(p => p.Mode == mode) ?? throw new ArgumentException($"no WAN protocol '{mode}'");

    public static bool Exists(string mode) => All.Any(p => p.Mode == mode);

    /// <summary>"dhcp, static, pppoe": for messages.</summary>
    public static string Names => string.Join(", ", All.Select(p => p.Mode));
}
