namespace Routerd.Tests.Loop;

/// <summary>A clock the test moves by hand.</summary>
sealed class ManualClock : TimeProvider
{
    public readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    DateTimeOffset now;
    public ManualClock() => now = Start;
    public void Advance(TimeSpan by) => now += by;
    public override DateTimeOffset GetUtcNow() => now;
    /// <summary>The router's time zone for this test; null: the machine's.</summary>
    public TimeZoneInfo? Zone { get; set; }
    public override TimeZoneInfo LocalTimeZone => Zone ?? base.LocalTimeZone;
}
