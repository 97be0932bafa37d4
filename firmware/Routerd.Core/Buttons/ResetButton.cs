namespace Routerd.Core.Buttons;

/// <summary>The reset button's one decision: held down for <see cref="Hold"/> without letting go
/// means "reset the settings"; anything shorter means nothing. Pure: it is told each edge and the
/// time, says when the hold would complete (the caller arms a timer for then), and answers once
/// per press whether it was held long enough. A press that began before a release and a new press
/// never counts for the new one. A button already down when routerd starts counts only once it
/// has been let go and pressed again: a line that reads "pressed" from the start (a stuck button,
/// a wrong pull in the board file) must not reset the router at every boot.
/// Times are read from a monotonic clock (time since an origin), never the wall clock: a Pi has no
/// battery clock and NTP steps its date by years soon after boot, which would make a short press
/// look held for years.</summary>
public sealed class ResetButton(TimeSpan hold)
{
    readonly Lock gate = new();
    TimeSpan? pressedAt;
    bool taken, waitForRelease;

    public TimeSpan Hold => hold;

    /// <summary>The button's state when it was first read.</summary>
    public void Start(bool pressedNow)
    {
        lock (gate) waitForRelease = pressedNow;
    }

    /// <summary>The button went down (<paramref name="pressed"/>) or up at <paramref name="at"/>.
    /// Returns when a press held from now completes (null when released, or when the press was
    /// already seen: a repeated edge does not restart the count).</summary>
    public TimeSpan? Changed(bool pressed, TimeSpan at)
    {
        lock (gate)
        {
            if (!pressed)
            {
                pressedAt = null;
                waitForRelease = false;
                return null;
            }
            if (pressedAt is not null || waitForRelease) return null;
            pressedAt = at;
            taken = false;
            return at + hold;
        }
    }

    /// <summary>True once for a press that is still down and has been down for <see cref="Hold"/>.</summary>
    public bool TakeHeld(TimeSpan now)
    {
        lock (gate)
        {
            if (taken || pressedAt is not { } since || now - since < hold) return false;
            taken = true;
            return true;
        }
    }
}
