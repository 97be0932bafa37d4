using System.Device.Gpio;
using System.Device.Gpio.Drivers;

namespace Routerd.Platform.Gpio;

/// <summary>A push button on one GPIO line, through libgpiod (System.Device.Gpio's LibGpiodDriver:
/// libgpiod's v1 API, Debian's libgpiod2). The line is requested for both edges and the driver's
/// thread waits on the line's event file descriptor (waking every 50 ms only to see whether it
/// should stop), so each press and release arrives as an event from the kernel; nothing samples
/// the line's value. Reports pressed/released and decides nothing (Core/Buttons decides what a
/// hold means).</summary>
public sealed class GpioButton : IDisposable
{
    readonly GpioController controller;

    GpioButton(GpioController controller, bool pressedNow)
    {
        this.controller = controller;
        PressedAtStart = pressedNow;
    }

    /// <summary>Whether the button was down when the line was opened.</summary>
    public bool PressedAtStart { get; }

    /// <summary>Opens line <paramref name="line"/> of /dev/gpiochip<paramref name="chip"/> and calls
    /// <paramref name="changed"/> (true: pressed) on each edge. Null, with why, when there is no such
    /// chip or line, or no libgpiod: the board then runs without the button.</summary>
    public static GpioButton? Open(int chip, int line, bool activeLow, Action<bool> changed, out string? problem)
    {
        GpioController? controller = null;
        try
        {
            controller = new GpioController(new LibGpiodDriver(chip));
            controller.OpenPin(line, PinMode.Input);
            var down = activeLow ? PinEventTypes.Falling : PinEventTypes.Rising;
            controller.RegisterCallbackForPinValueChangedEvent(line, PinEventTypes.Falling | PinEventTypes.Rising,
                (_, e) => changed(e.ChangeType == down));
            bool pressed = controller.Read(line) == (activeLow ? PinValue.Low : PinValue.High);
            problem = null;
            return new GpioButton(controller, pressed);
        }
        // No libgpiod (its type initializer reads the library's version), no chip, a line the
        // chip does not have or someone else holds.
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or TypeInitializationException or DllNotFoundException
            or EntryPointNotFoundException or InvalidOperationException or ArgumentException)
        {
            controller?.Dispose();
            problem = e is TypeInitializationException { InnerException: { } inner } ? inner.Message : e.Message;
            return null;
        }
    }

    public void Dispose() => controller.Dispose();
}
