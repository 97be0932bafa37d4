using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Upgrade;
using Routerd.Platform.Processes;
using Routerd.Platform.Rauc;
using Routerd.Platform.UBoot;

namespace Routerd;

/// <summary>The firmware side of `routerd serve`: the updater when the board has one, and this
/// boot's health check, after which the running slot is marked good. A slot that never passes
/// it is not confirmed, and the boot loader goes back to the other slot once its tries are spent.</summary>
static partial class FirmwareHealth
{
    /// <summary>How long a boot may take to become healthy before it counts as failed.</summary>
    static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    public static FirmwareUpdater? Updater(Board board, Func<string> settingsJson)
    {
        if (board.Firmware.Rauc is not { } rauc || !File.Exists(rauc)) return null;
        string version = File.Exists(board.Firmware.VersionFile) ? File.ReadAllText(board.Firmware.VersionFile).Trim() : BuildInfo.Version;
        var updater = new FirmwareUpdater(new RaucTool(rauc), BundleCheck.Compatible(board.Name), version, board.Firmware.UploadDir)
        {
            Boot = ThisBoot(),
            SettingsJson = settingsJson,
            SyncDirectory = FileModes.FlushToDisk,
            LastGood = board.Firmware.LastGoodFile is { } lastGood ? new LastGoodFile(lastGood) : null,
        };
        updater.ConcludeTrial();
        return updater;
    }

    /// <summary>The slot the boot loader started (rauc.slot= on the kernel command line, which
    /// image/x86-64/grub.cfg and image/rpi4/boot.cmd pass) and the kernel's boot id; null on a
    /// machine booted otherwise.</summary>
    static BootIdentity? ThisBoot()
    {
        try
        {
            string? slot = File.ReadAllText("/proc/cmdline").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(a => a.StartsWith("rauc.slot=", StringComparison.Ordinal)).Select(a => a["rauc.slot=".Length..]).LastOrDefault();
            string id = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            return slot is { Length: > 0 } && id.Length > 0 ? new BootIdentity(slot, id) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Healthy: the settings are applied (the caller awaited that), the LAN bridge has its
    /// address and the web UI answers a connection on it. Then the slot is marked good.</summary>
    public static async Task CheckThenMarkGood(FirmwareUpdater updater, Router router, Board board, ILogger log)
    {
        // Monotonic: NTP steps the date right after boot, while this check runs; a step forward
        // must not end it at once: the slot would stay unmarked and the bootloader fall back to the old firmware.
        long started = Stopwatch.GetTimestamp();
        string reason = "not checked";
        bool told = false;
        while (Stopwatch.GetElapsedTime(started) < Deadline)
        {
            reason = await Probe(router, board);
            if (reason.Length == 0)
            {
                if (await Task.Run(updater.MarkGood))
                {
                    LogMarkedGood(log, updater.RunningVersion);
                    if (updater.LastGoodProblem is { } problem) LogLastGoodFailed(log, problem);
                    return;
                }
                // Tried again until the deadline: routerd starts before the system bus (routerd.service),
                // and RAUC answers over it; a slot left unmarked after a healthy boot would be given up
                // by routerd-boot-trial's deadline on an update's first boot.
                reason = updater.BootCheck;
                if (!told) LogMarkGoodFailed(log, reason);
                told = true;
            }
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        updater.Unhealthy(reason);
        LogUnhealthy(log, reason);
    }

    static async Task<string> Probe(Router router, Board board)
    {
        var address = router.Snapshot.LanAddresses().FirstOrDefault();
        if (address is null) return "the LAN has no address";
        try
        {
            using var tcp = new TcpClient(address.AddressFamily);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await tcp.ConnectAsync(new IPEndPoint(address, board.WebPort), timeout.Token);
            return "";
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return $"the web UI does not answer on {address}:{board.WebPort}: {e.Message}";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "firmware {Version}: health check passed, running slot marked good")]
    static partial void LogMarkedGood(ILogger log, string version);
    [LoggerMessage(Level = LogLevel.Error, Message = "firmware: marking the running slot good failed: {Reason}")]
    static partial void LogMarkGoodFailed(ILogger log, string reason);
    [LoggerMessage(Level = LogLevel.Warning, Message = "firmware: the last-good slot record for the boot loader could not be written (a lost uboot.env would boot the first slot, not this one): {Reason}")]
    static partial void LogLastGoodFailed(ILogger log, string reason);
    [LoggerMessage(Level = LogLevel.Error, Message = "firmware: health check failed, the running slot stays unconfirmed: {Reason}")]
    static partial void LogUnhealthy(ILogger log, string reason);
}
