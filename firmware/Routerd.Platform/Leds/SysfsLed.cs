using Routerd.Core.Leds;

namespace Routerd.Platform.Leds;

/// <summary>One LED of the kernel's LED class (/sys/class/leds/NAME): a steady pattern is the
/// "none" trigger and full brightness; a blinking one is the "timer" trigger (ledtrig-timer) with
/// its delay_on/delay_off in milliseconds, so the kernel blinks it and routerd writes only when the
/// pattern changes. Decides nothing: the pattern comes from Core/Leds.</summary>
public sealed class SysfsLed(string directory)
{
    readonly Lock gate = new();
    LedPattern? shown;

    public string Directory { get; } = directory;

    /// <summary>Shows the pattern unless it is already showing. Throws IOException or
    /// UnauthorizedAccessException when the LED cannot be written (the caller reports it once).</summary>
    public void Show(LedPattern pattern)
    {
        lock (gate)
        {
            if (pattern == shown) return;
            shown = null;
            if (pattern.Steady)
            {
                Write("trigger", "none");
                Write("brightness", MaxBrightness());
            }
            else
            {
                // The timer trigger creates delay_on/delay_off when it is set; write them after it.
                Write("trigger", "timer");
                Write("delay_on", pattern.OnMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Write("delay_off", pattern.OffMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            shown = pattern;
        }
    }

    string MaxBrightness()
    {
        try { return File.ReadAllText(Path.Combine(Directory, "max_brightness")).Trim() is { Length: > 0 } max ? max : "1"; }
        catch (FileNotFoundException) { return "1"; }
    }

    /// <summary>One write per attribute, as sysfs wants it (the whole value in one write).</summary>
    void Write(string attribute, string value) => File.WriteAllText(Path.Combine(Directory, attribute), value + "\n");
}
