namespace Routerd.Core.Devices;

/// <summary>Whether a device is on the network, from every sign the router gets of it together:
/// the neighbour table answering (REACHABLE), a new or renewed DHCP lease, its traffic counters
/// moving, and Wi-Fi association. The kernel's neighbour states alone are not presence: an entry
/// goes STALE after ~30 s without a confirmation, and forwarded traffic (a download the device
/// is busy with) confirms nothing, so a device moving megabits looked offline.
///
/// The rule: a Wi-Fi station is online while associated and offline once it leaves (hostapd
/// says so at once); any other device is online until <see cref="DeviceRegistry.QuietPeriod"/>
/// has passed without a sign of it. An idle device that is still plugged in gives no sign by
/// itself: <see cref="DeviceRegistry.ToProbe"/> names its stale addresses, and a datagram sent
/// there makes the kernel ask it (unicast ARP); its answer is a REACHABLE event, a sign.</summary>
public static class Presence
{
    /// <summary>Offline after this long without a sign: long enough for a phone in power save
    /// that misses a probe or two, short enough that "offline" still means something.</summary>
    public static readonly TimeSpan DefaultQuietPeriod = TimeSpan.FromMinutes(5);

    public static bool Online(bool? wifiAssociated, DateTimeOffset? lastSeen, DateTimeOffset now, TimeSpan quiet) =>
        wifiAssociated ?? (lastSeen is { } seen && now - seen < quiet);

    /// <summary>An idle device is asked after a third of the quiet period, so that its answer
    /// (the kernel's DELAY and PROBE take ~6 s) or a second try comes before the period runs out.</summary>
    public static TimeSpan ProbeAfter(TimeSpan quiet) => quiet / 3;

    /// <summary>How often the prober looks for devices to ask: a fifth of the quiet period, at
    /// least every minute and at most every 5 s.</summary>
    public static TimeSpan ProbeInterval(TimeSpan quiet) =>
        TimeSpan.FromTicks(Math.Clamp((quiet / 5).Ticks, TimeSpan.FromSeconds(5).Ticks, TimeSpan.FromMinutes(1).Ticks));
}
