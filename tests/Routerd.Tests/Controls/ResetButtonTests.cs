using Routerd.Core.Buttons;
using Xunit;

namespace Routerd.Tests.Controls;

/// <summary>The reset button's hold: 10 s down without letting go resets, anything shorter does
/// nothing, once per press, and a button already down at start is ignored until pressed again.</summary>
public class ResetButtonTests
{
    static TimeSpan At(double seconds) => TimeSpan.FromSeconds(100 + seconds);

    [Fact]
    public void Held_ten_seconds_it_counts_once()
    {
        var b = new ResetButton(TimeSpan.FromSeconds(10));
        b.Start(pressedNow: false);
        Assert.Equal(At(10), b.Changed(true, At(0)));
        Assert.False(b.TakeHeld(At(9.9)));
        Assert.True(b.TakeHeld(At(10)));
        Assert.False(b.TakeHeld(At(11)));
    }

    [Fact]
    public void A_short_press_does_nothing_and_its_timer_finds_nothing()
    {
        var b = new ResetButton(TimeSpan.FromSeconds(10));
        b.Start(false);
        b.Changed(true, At(0));
        Assert.Null(b.Changed(false, At(1)));
        Assert.False(b.TakeHeld(At(10)));
    }

    [Fact]
    public void A_new_press_after_a_release_counts_from_its_own_start()
    {
        var b = new ResetButton(TimeSpan.FromSeconds(10));
        b.Start(false);
        b.Changed(true, At(0));
        b.Changed(false, At(5));
        Assert.Equal(At(16), b.Changed(true, At(6)));
        // The first press's timer fires at 10 s: the second press is 4 s old.
        Assert.False(b.TakeHeld(At(10)));
        Assert.True(b.TakeHeld(At(16)));
    }

    [Fact]
    public void A_repeated_press_edge_does_not_restart_the_count()
    {
        var b = new ResetButton(TimeSpan.FromSeconds(10));
        b.Start(false);
        b.Changed(true, At(0));
        Assert.Null(b.Changed(true, At(3)));
        Assert.True(b.TakeHeld(At(10)));
    }

    [Fact]
    public void Down_at_start_is_ignored_until_let_go_and_pressed_again()
    {
        var b = new ResetButton(TimeSpan.FromSeconds(10));
        b.Start(pressedNow: true);
        Assert.Null(b.Changed(true, At(0)));
        Assert.False(b.TakeHeld(At(60)));
        b.Changed(false, At(61));
        Assert.Equal(At(72), b.Changed(true, At(62)));
        Assert.True(b.TakeHeld(At(72)));
    }
}
