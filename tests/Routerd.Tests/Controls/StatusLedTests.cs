using Routerd.Core.Leds;
using Routerd.Platform.Leds;
using Xunit;

namespace Routerd.Tests.Controls;

/// <summary>The status LED: which light the router's state asks for (pure), and the LED-class
/// adapter writing each pattern into a fake /sys/class/leds/NAME directory.</summary>
public sealed class StatusLedTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("routerd-led-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    [Theory]
    [InlineData(false, false, false, false, StatusLight.Booting)]
    [InlineData(false, true, true, true, StatusLight.Booting)]
    [InlineData(true, true, true, true, StatusLight.Updating)]
    [InlineData(true, false, true, true, StatusLight.FellBack)]
    [InlineData(true, false, false, true, StatusLight.Online)]
    [InlineData(true, false, false, false, StatusLight.Offline)]
    public void The_light_follows_the_state_most_important_first(bool applied, bool updating, bool fellBack, bool internet, StatusLight expected) =>
        Assert.Equal(expected, StatusLights.Choose(applied, updating, fellBack, internet));

    [Fact]
    public void Every_light_has_a_pattern_of_its_own()
    {
        var patterns = Enum.GetValues<StatusLight>().Select(StatusLights.Pattern).ToList();
        Assert.Equal(patterns.Count, patterns.Distinct().Count());
        Assert.Single(patterns, p => p.Steady);
        Assert.True(StatusLights.Pattern(StatusLight.Online).Steady);
    }

    string Read(string attribute) => File.ReadAllText(Path.Combine(dir, attribute)).Trim();

    [Fact]
    public void Blinking_is_the_timer_trigger_with_its_delays_and_steady_is_none_at_full_brightness()
    {
        File.WriteAllText(Path.Combine(dir, "trigger"), "[mmc0] none timer\n");
        File.WriteAllText(Path.Combine(dir, "max_brightness"), "255\n");
        var led = new SysfsLed(dir);

        led.Show(StatusLights.Pattern(StatusLight.Offline));
        Assert.Equal(("timer", "1000", "1000"), (Read("trigger"), Read("delay_on"), Read("delay_off")));

        led.Show(StatusLights.Pattern(StatusLight.Updating));
        Assert.Equal(("timer", "60", "140"), (Read("trigger"), Read("delay_on"), Read("delay_off")));

        led.Show(StatusLights.Pattern(StatusLight.Online));
        Assert.Equal(("none", "255"), (Read("trigger"), Read("brightness")));
    }

    [Fact]
    public void The_same_pattern_again_writes_nothing()
    {
        var led = new SysfsLed(dir);
        led.Show(StatusLights.Pattern(StatusLight.Booting));
        File.WriteAllText(Path.Combine(dir, "trigger"), "someone else's\n");
        led.Show(StatusLights.Pattern(StatusLight.Booting));
        Assert.Equal("someone else's", Read("trigger"));
        led.Show(StatusLights.Pattern(StatusLight.Offline));
        Assert.Equal("timer", Read("trigger"));
    }

    [Fact]
    public void A_missing_led_is_an_io_error_and_the_next_show_tries_again()
    {
        var led = new SysfsLed(Path.Combine(dir, "nope"));
        Assert.ThrowsAny<IOException>(() => led.Show(StatusLights.Pattern(StatusLight.Online)));
        Directory.CreateDirectory(Path.Combine(dir, "nope"));
        led.Show(StatusLights.Pattern(StatusLight.Online));
        Assert.Equal("1", File.ReadAllText(Path.Combine(dir, "nope", "brightness")).Trim());
    }
}

/// <summary>No GPIO (no libgpiod, no such chip: the labs, this machine) is a board condition the
/// button reports, not an exception that stops routerd.</summary>
public class GpioButtonTests
{
    [Fact]
    public void A_chip_that_is_not_there_gives_no_button_and_says_why()
    {
        var button = Routerd.Platform.Gpio.GpioButton.Open(chip: 97, line: 6, activeLow: true, _ => { }, out string? problem);
        Assert.Null(button);
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }
}
