using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Lan;

/// <summary>A risky change (the LAN address) that is applied but not yet confirmed: the previous
/// LAN settings to go back to, the address the user should follow, and the deadline after which
/// the old settings return by themselves. <see cref="Deadline"/> and every "now" here are readings of
/// the router's monotonic clock (Time/MonotonicClock): NTP stepping the date must neither roll the
/// change back at once nor hold it for years. <see cref="Reason"/>: the router moved its LAN by itself
/// (<see cref="LanConflict"/>) and says why; such a change is kept, not rolled back, at the deadline.</summary>
public sealed record PendingChange(LanSettings PreviousLan, Ipv4Network PreviousAddress, Ipv4Network NewAddress, TimeSpan Deadline, string? Reason = null)
{
    /// <summary>A LAN address or prefix change can cut the browser that made it off the router.</summary>
    public static bool IsRisky(LanSettings current, LanSettings next) =>
        !(Ipv4Network.TryParse(current.Address, out var a) && Ipv4Network.TryParse(next.Address, out var b) && a == b);

    public static PendingChange Begin(LanSettings previous, LanSettings next, TimeSpan now, TimeSpan window, string? reason = null) =>
        new(previous, Ipv4Network.Parse(previous.Address), Ipv4Network.Parse(next.Address), now + window, reason);

    public bool IsDue(TimeSpan now) => now >= Deadline;

    /// <summary>Whole seconds left, rounded up so "0" means "rolling back now".</summary>
    public int SecondsLeft(TimeSpan now) => Math.Max(0, (int)Math.Ceiling((Deadline - now).TotalSeconds));

    public PendingView View(TimeSpan now) => new(true, SecondsLeft(now), NewAddress.Ip.ToString(), Reason);
}

/// <summary>GET /api/settings/pending, and the 202 answer of a risky change. Reason: set when the
/// router moved its LAN by itself; the old address then goes at the deadline (nothing rolls back).</summary>
public sealed record PendingView(bool Pending, int SecondsLeft, string? NewAddress, string? Reason = null)
{
    public static readonly PendingView None = new(false, 0, null);
}
