namespace Routerd.Tests.Loop;

/// <summary>A clock the test moves by hand. <see cref="Advance"/> lets time pass (the date and the
/// monotonic timestamps move together); <see cref="StepWall"/> only sets the date, as NTP or an
/// owner does, and leaves the timestamps where they are: what measures a duration on the wall
/// clock shows up there.</summary>
sealed class ManualClock : TimeProvider
{
    public readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    DateTimeOffset now;
    long timestamp = TimeSpan.FromDays(1).Ticks; // any origin: only differences mean something
    public ManualClock() => now = Start;
    public void Advance(TimeSpan by) => (now, timestamp) = (now + by, timestamp + by.Ticks);
    public void StepWall(TimeSpan by) => now += by;
    public override DateTimeOffset GetUtcNow() => now;
    public override long GetTimestamp() => timestamp;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    /// <summary>The router's time zone for this test; null: the machine's.</summary>
    public TimeZoneInfo? Zone { get; set; }
    public override TimeZoneInfo LocalTimeZone => Zone ?? base.LocalTimeZone;
}
