namespace Routerd.Core.Time;

/// <summary>Time on a monotonic scale: how long since this object was made, read from the
/// <see cref="TimeProvider"/>'s timestamps (CLOCK_MONOTONIC on Linux), never from its wall clock.
/// Every duration and deadline inside one routerd process is measured on it: a Raspberry Pi has no
/// battery clock and NTP steps its date by hours to years soon after boot (an owner or an ISP's
/// server can step it too), and the difference of two wall-clock readings taken across the step
/// would make a 30 s wait last years, or nothing. Readings of different instances do not compare.</summary>
public sealed class MonotonicClock(TimeProvider clock)
{
    readonly long origin = clock.GetTimestamp();

    /// <summary>Time since this clock was made; it only grows, whatever happens to the date.</summary>
    public TimeSpan Now => clock.GetElapsedTime(origin);
}
