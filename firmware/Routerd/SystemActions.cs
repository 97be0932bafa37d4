using Microsoft.Extensions.Logging;
using Routerd.Core.Admin;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Platform.Dnsmasq;
using Routerd.Platform.Processes;
using Routerd.WebUi;
using Routerd.WebUi.Auth;
using Routerd.Core.Lan;

namespace Routerd;

/// <summary>The system page's actions, composed from the router and the adapters.</summary>
sealed partial class SystemActions(Board board, Router router, DnsmasqService dns, SessionStore sessions, ILogger log) : ISystemActions
{
    /// <summary>Like a new box: first-boot settings (admin/admin, must change), no DHCP leases, nobody logged in.</summary>
    public void FactoryReset()
    {
        var firstBoot = FirstBoot.Settings(board, PasswordHasher.HashDefault);
        router.FactoryReset(firstBoot, () => dns.ForgetLeases(DnsmasqService.LeaseFiles(board.StateDir)));
        sessions.RemoveAllExcept(null);
        Usage?.Clear(); // the keeper writes the empty history within the hour, and at the next stop
    }

    /// <summary>The devices' usage history, which a factory reset forgets with the settings.</summary>
    public Routerd.Core.Usage.UsageHistory? Usage { get; init; }

    public void Reboot()
    {
        var argv = board.Tools.Reboot.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        LogReboot(log, board.Tools.Reboot);
        try
        {
            var result = ProcessRunner.Run(argv[0], argv[1..], timeout: TimeSpan.FromSeconds(30));
            if (!result.Succeeded) LogRebootFailed(log, $"exit code {result.ExitCode}: {result.StandardError.Trim()}");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception or IndexOutOfRangeException)
        {
            LogRebootFailed(log, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "reboot requested: running {Command}")]
    static partial void LogReboot(ILogger log, string command);
    [LoggerMessage(Level = LogLevel.Error, Message = "reboot command failed: {Reason}")]
    static partial void LogRebootFailed(ILogger log, string reason);
}
