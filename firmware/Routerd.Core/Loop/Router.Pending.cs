using Microsoft.Extensions.Logging;
using Routerd.Core.Lan;
using Routerd.Core.Settings;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Core.Loop;

// Apply with rollback (DESIGN.md): a change of the LAN address is applied at once, with the old
// address kept on the bridge beside the new one, but it is stored only when the user confirms it
// from the new address (the old address then stays a few seconds more for the answer to get out).
// Unconfirmed, the old LAN settings come back at the deadline (a timer event); a restart in
// between finds the old settings in the store. Other changes made meanwhile (a priority toggle)
// are stored with the old LAN settings and survive a rollback.
public sealed partial class Router
{
    /// <summary>How long the old address stays after a confirmation: the browser that confirmed
    /// may still reach the router through the old subnet, and must get its answer.</summary>
    public static readonly TimeSpan FallbackGrace = TimeSpan.FromSeconds(5);

    PendingChange? pending;
    (Net.Ipv4Network Address, TimeSpan Until)? retiring;

    public PendingView Pending => snapshot.Pending?.View(monotonic.Now) ?? PendingView.None;

    /// <summary>Like <see cref="TryChange"/>, but a new LAN address becomes a pending change
    /// (returned) that rolls back unless <see cref="ConfirmPending"/> comes in time.</summary>
    public (ChangeResult Result, PendingView? Pending) TryChangeWithRollback(RouterSettings incoming) =>
        ((ChangeResult, PendingView?))Send(new ChangeSettings(incoming, true))!;

    public async Task<(ChangeResult Result, PendingView? Pending)> TryChangeWithRollbackAsync(RouterSettings incoming) =>
        ((ChangeResult, PendingView?))(await SendAsync(new ChangeSettings(incoming, true)))!;

    object ChangeWithRollback(RouterSettings incoming)
    {
        var next = SettingsSecrets.KeepStored(incoming, settings);
        if (!PendingChange.IsRisky(settings.Lan, next.Lan)) return (Commit(next), (PendingView?)null);
        if (pending is not null)
            return (new ChangeResult([new FieldError("lan.address", "a LAN address change is waiting for confirmation; confirm it or let it roll back first")]), (PendingView?)null);
        if (Check(next, out var errors) is not { } built) return (new ChangeResult(errors), (PendingView?)null);

        pending = PendingChange.Begin(settings.Lan, next.Lan, monotonic.Now, TimeSpan.FromSeconds(board.RollbackSeconds));
        var result = Commit(next, built);
        if (!result.Succeeded)
        {
            pending = null;
            return (result, (PendingView?)null);
        }
        // The window starts once the new address is served: the apply (the ruleset, dnsmasq's
        // restart) took 4 s of an 8 s window on a loaded test runner, and the owner's time to
        // follow must not shrink by it.
        pending = pending with { Deadline = monotonic.Now + TimeSpan.FromSeconds(board.RollbackSeconds) };
        LogPending(log, pending.NewAddress.ToString(), board.RollbackSeconds);
        return (result, (PendingView?)pending.View(monotonic.Now));
    }

    /// <summary>The user reached the router at its new address: store the change; the old
    /// address goes after <see cref="FallbackGrace"/>. Null when nothing was pending (already
    /// rolled back); a failure when the store could not keep it (the change stays pending).</summary>
    public ChangeResult? ConfirmPending() => (ChangeResult?)Send(new ConfirmChange());
    public async Task<ChangeResult?> ConfirmPendingAsync() => (ChangeResult?)await SendAsync(new ConfirmChange());

    object? OnConfirm()
    {
        if (pending is not { } p) return null;
        FlushSets();
        if (Store(settings) is { } notStored) return notStored;
        pending = null;
        retiring = (p.PreviousAddress, monotonic.Now + FallbackGrace);
        LogConfirmed(log);
        return ChangeResult.Applied;
    }

    /// <summary>Puts the old LAN settings back when the deadline passed, and lets a confirmed
    /// change's old address go after its grace.</summary>
    void RollBackDue(TimeSpan now)
    {
        if (retiring is { } r && now >= r.Until)
        {
            retiring = null;
            state = state with { Lan = state.Lan with { Fallback = null } };
            ReleaseHeldLease();
            Reapply();
        }
        if (pending is not { } p || !p.IsDue(now)) return;
        pending = null;
        if (p.Reason is not null)
        {
            KeepLanMove();
            return;
        }
        var result = Commit(settings with { Lan = p.PreviousLan });
        LogRolledBack(log, p.PreviousAddress.ToString(), result.FailureCode ?? "ok");
    }

    /// <summary>Forgets a pending change without applying anything (a factory reset replaces it all).</summary>
    void DropPending() => (pending, retiring) = (null, null);

    /// <summary>What is stored: while a LAN change is pending, the LAN part stays the old one.</summary>
    RouterSettings Persisted(RouterSettings next) => pending is { } p ? next with { Lan = p.PreviousLan } : next;

    /// <summary>While a LAN change is pending the old address stays on the bridge too.</summary>
    DesiredState WithFallback(DesiredState next) =>
        (pending?.PreviousAddress ?? retiring?.Address) is { } old ? next with { Lan = next.Lan with { Fallback = old } } : next;

    [LoggerMessage(Level = LogLevel.Warning, Message = "LAN address change to {Address} applied; it rolls back unless confirmed within {Seconds} s")]
    static partial void LogPending(ILogger log, string address, int seconds);
    [LoggerMessage(Level = LogLevel.Information, Message = "LAN address change confirmed and stored")]
    static partial void LogConfirmed(ILogger log);
    [LoggerMessage(Level = LogLevel.Warning, Message = "LAN address change not confirmed in time: back to {Address} ({Result})")]
    static partial void LogRolledBack(ILogger log, string address, string result);
}
