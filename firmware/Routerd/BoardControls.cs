using Microsoft.Extensions.Logging;
using Routerd.Core.Buttons;
using Routerd.Core.Leds;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Time;
using Routerd.Core.Upgrade;
using Routerd.Core.Wan;
using Routerd.Platform.Gpio;
using Routerd.Platform.Leds;
using Routerd.WebUi;

namespace Routerd;

/// <summary>The board's physical controls, where it has them (board.json ResetButton, StatusLed):
/// the reset button held for its seconds resets the settings (not the firmware slots) and reboots;
/// the status LED shows booting, updating, a fall-back, online or offline. A board without them,
/// or whose GPIO chip or LED is missing, runs as without them and says so once in the log.</summary>
static partial class BoardControls
{
    /// <summary>Watches the reset button; null when the board has none (or it cannot be opened).</summary>
    public static IDisposable? StartResetButton(Board board, ISystemActions system, ILogger log)
    {
        if (board.ResetButton is not { } b) return null;
        var hold = new ResetButton(TimeSpan.FromSeconds(Math.Max(1, b.HoldSeconds)));
        // Monotonic: the hold must not stretch when NTP steps the date (ResetButton says why).
        var clock = TimeProvider.System;
        var monotonic = new MonotonicClock(clock);
        TimeSpan Now() => monotonic.Now;
        void Changed(bool pressed)
        {
            if (hold.Changed(pressed, Now()) is not { } due) return;
            LogPressed(log, hold.Hold.TotalSeconds);
            _ = Task.Run(async () =>
            {
                // A timer may fire a few milliseconds before `due` by this clock (it counts coarse
                // milliseconds): the press would then be too short by that much and never count
                // (seen in the lab VM: a 20 s hold did nothing). Wait again for what is left.
                TimeSpan wait;
                while ((wait = due - Now()) > TimeSpan.Zero)
                    await Task.Delay(wait + TimeSpan.FromMilliseconds(1), clock);
                if (!hold.TakeHeld(Now())) return;
                LogReset(log, hold.Hold.TotalSeconds);
                system.FactoryReset();
                system.Reboot();
            });
        }
        var button = GpioButton.Open(b.Chip, b.Line, b.ActiveLow, Changed, out string? problem);
        if (button is null)
        {
            LogNoButton(log, b.Chip, b.Line, problem ?? "unknown");
            return null;
        }
        hold.Start(button.PressedAtStart);
        if (button.PressedAtStart) LogDownAtStart(log);
        LogButton(log, b.Chip, b.Line, hold.Hold.TotalSeconds);
        return button;
    }

    /// <summary>Drives the status LED from the router's snapshots and the updater's job; null when
    /// the board has none.</summary>
    public static IDisposable? StartStatusLed(Board board, Router router, FirmwareUpdater? firmware, Task applied, ILogger log)
    {
        if (board.StatusLed is not { Length: > 0 } name) return null;
        var led = new SysfsLed(Path.Combine(board.LedsDir, name));
        bool reported = false;
        void Update()
        {
            var light = StatusLights.Choose(applied.IsCompletedSuccessfully, firmware?.Job.Busy == true,
                firmware?.FellBackThisBoot == true, router.Snapshot.Wan.Code == WanCodes.Up);
            try
            {
                led.Show(StatusLights.Pattern(light));
                reported = false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (!reported) LogLedFailed(log, led.Directory, e.Message);
                reported = true;
            }
        }
        Update();
        Action<RouterSnapshot> published = _ => Update();
        router.Published += published;
        if (firmware is not null) firmware.Changed += Update;
        applied.ContinueWith(_ => Update(), TaskScheduler.Default);
        return new Unsubscribe(() =>
        {
            router.Published -= published;
            if (firmware is not null) firmware.Changed -= Update;
        });
    }

    sealed class Unsubscribe(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "reset button on gpiochip{Chip} line {Line}: held {Seconds} s resets the settings and reboots")]
    static partial void LogButton(ILogger log, int chip, int line, double seconds);
    [LoggerMessage(Level = LogLevel.Warning, Message = "reset button on gpiochip{Chip} line {Line} cannot be read, running without it: {Problem}")]
    static partial void LogNoButton(ILogger log, int chip, int line, string problem);
    [LoggerMessage(Level = LogLevel.Warning, Message = "reset button is down at start: it counts once it has been let go and pressed again")]
    static partial void LogDownAtStart(ILogger log);
    [LoggerMessage(Level = LogLevel.Information, Message = "reset button pressed: held {Seconds} s it resets the settings")]
    static partial void LogPressed(ILogger log, double seconds);
    [LoggerMessage(Level = LogLevel.Warning, Message = "reset button held {Seconds} s: resetting the settings to factory defaults and rebooting")]
    static partial void LogReset(ILogger log, double seconds);
    [LoggerMessage(Level = LogLevel.Warning, Message = "status LED {Directory} cannot be written: {Problem}")]
    static partial void LogLedFailed(ILogger log, string directory, string problem);
}
