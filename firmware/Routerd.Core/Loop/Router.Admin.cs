using Microsoft.Extensions.Logging;
using Routerd.Core.Settings;

namespace Routerd.Core.Loop;

// The admin account and the factory reset: both change settings outside the normal "whole
// document" path, which never touches the account (SettingsSecrets.KeepStored).
public sealed partial class Router
{
    /// <summary>Stores a new password hash and ends the first-boot "must change" state. Nothing
    /// is rendered from the account, so nothing is applied, unless the password ends the rescue
    /// state (<see cref="RescueWan"/>): then the WAN opens.</summary>
    public ChangeResult ChangeAdminPassword(string newHash) => (ChangeResult)Send(new ChangePassword(newHash))!;
    public async Task<ChangeResult> ChangeAdminPasswordAsync(string newHash) => (ChangeResult)(await SendAsync(new ChangePassword(newHash)))!;

    /// <summary>The old password stays in force unless the new one is on the disk.</summary>
    object OnChangePassword(string newHash)
    {
        FlushSets();
        bool wasClosed = WanClosed;
        var next = settings with { Admin = settings.Admin with { PasswordHash = newHash, MustChangePassword = false } };
        if (Store(Persisted(next)) is { } notStored) return notStored;
        settings = next;
        LogPasswordChanged(log);
        if (wasClosed) Reapply(); // the rescue state ends: the WAN opens
        return ChangeResult.Applied;
    }

    /// <summary>Back to the board's first-boot settings (admin/admin, must change) and applies
    /// them; <paramref name="firstBoot"/> is built by the caller because hashing is slow.
    /// <paramref name="forgetStoredState"/> (the DHCP leases) runs on the loop's thread, so no
    /// apply runs beside it.</summary>
    public ChangeResult FactoryReset(RouterSettings firstBoot, Action forgetStoredState) =>
        (ChangeResult)Send(new FactoryReset(firstBoot, forgetStoredState))!;

    object OnFactoryReset(FactoryReset f)
    {
        FlushSets();
        DropPending();
        f.ForgetStoredState();
        var result = Commit(f.FirstBoot);
        LogFactoryReset(log, result.FailureCode ?? (result.Errors.Count > 0 ? "refused" : "ok"));
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "admin password changed")]
    static partial void LogPasswordChanged(ILogger log);
    [LoggerMessage(Level = LogLevel.Warning, Message = "factory reset: first-boot settings applied ({Result})")]
    static partial void LogFactoryReset(ILogger log, string result);
}
