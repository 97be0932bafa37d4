using System.Net;
using Routerd.Core.Settings;
using Routerd.Core.Time;

namespace Routerd.WebUi.Auth;

/// <summary>Slows password guessing per client address and overall: after a few free failures
/// every further wrong password makes that client wait, the wait doubling up to a maximum. A
/// right password (once the wait is over) clears the slate. Attempts during a wait are not checked
/// at all.
///
/// An attempt is counted as a failure when it is <see cref="TryReserve">reserved</see>, before
/// its password is hashed, and forgiven only if it turns out right: parallel logins from one
/// address get exactly the guesses sequential ones would, not one per request in flight. The
/// overall record (every client together, <see cref="OverallFactor"/> times the free failures)
/// bounds what a client hopping between addresses gets.
///
/// Waits are timed on the monotonic clock: NTP stepping the date back must not lock the owner out
/// for years, nor a step forward lift a guesser's wait.</summary>
public sealed class LoginThrottle(TimeProvider clock, LoginThrottleBoard policy)
{
    readonly MonotonicClock monotonic = new(clock);

    /// <summary>Bounds memory against address-hopping clients: the oldest records go first.</summary>
    public const int MaxClients = 1024;
    /// <summary>The overall record's free failures are this many times a client's.</summary>
    public const int OverallFactor = 10;

    sealed class Record
    {
        public int Failures;
        public TimeSpan LastFailure, BlockedUntil;
    }

    readonly Lock gate = new();
    readonly Dictionary<IPAddress, Record> clients = [];
    readonly Record overall = new();

    /// <summary>How long the client must still wait before its next attempt; zero when it may try now.</summary>
    public TimeSpan Wait(IPAddress? client)
    {
        if (client is null) return TimeSpan.Zero;
        var now = monotonic.Now;
        lock (gate) return WaitLocked(client, now);
    }

    TimeSpan WaitLocked(IPAddress client, TimeSpan now)
    {
        var until = overall.BlockedUntil;
        if (clients.TryGetValue(client, out var r) && r.BlockedUntil > until) until = r.BlockedUntil;
        return until > now ? until - now : TimeSpan.Zero;
    }

    /// <summary>Reserves one attempt before the password is checked: false (with the wait) while the
    /// client or everyone must wait; otherwise the attempt already counts as a failure, and
    /// <paramref name="earned"/> is the wait it earns if it is one (zero while failures are free).
    /// A right password then calls <see cref="Succeeded"/>.</summary>
    public bool TryReserve(IPAddress? client, out TimeSpan wait, out TimeSpan earned)
    {
        wait = earned = TimeSpan.Zero;
        if (client is null) return true; // the control socket is trusted
        var now = monotonic.Now;
        lock (gate)
        {
            wait = WaitLocked(client, now);
            if (wait > TimeSpan.Zero) return false;
            earned = FailLocked(client, now);
            return true;
        }
    }

    /// <summary>Records a wrong password; returns the wait it earned (zero while failures are free).</summary>
    public TimeSpan Failed(IPAddress? client)
    {
        if (client is null) return TimeSpan.Zero; // the control socket is trusted
        var now = monotonic.Now;
        lock (gate) return FailLocked(client, now);
    }

    TimeSpan FailLocked(IPAddress client, TimeSpan now)
    {
        if (!clients.TryGetValue(client, out var r))
        {
            if (clients.Count >= MaxClients) clients.Remove(clients.MinBy(c => c.Value.LastFailure).Key);
            clients[client] = r = new Record();
        }
        var delay = Count(r, now, policy.FreeFailures);
        var all = Count(overall, now, policy.FreeFailures * OverallFactor);
        return all > delay ? all : delay;
    }

    TimeSpan Count(Record r, TimeSpan now, int free)
    {
        r.Failures++;
        r.LastFailure = now;
        var delay = Delay(r.Failures, free);
        r.BlockedUntil = now + delay;
        return delay;
    }

    public void Succeeded(IPAddress? client)
    {
        if (client is null) return;
        lock (gate)
        {
            clients.Remove(client);
            overall.Failures = 0;
            overall.BlockedUntil = default;
        }
    }

    /// <summary>How many client records are kept (at most <see cref="MaxClients"/>).</summary>
    public int ClientsTracked
    {
        get { lock (gate) return clients.Count; }
    }

    public bool Tracks(IPAddress client)
    {
        lock (gate) return clients.ContainsKey(client);
    }

    /// <summary>The wait after the n-th consecutive failure of one client.</summary>
    public TimeSpan Delay(int failures) => Delay(failures, policy.FreeFailures);

    TimeSpan Delay(int failures, int free)
    {
        int over = failures - free;
        if (over <= 0) return TimeSpan.Zero;
        double seconds = policy.FirstDelaySeconds * Math.Pow(2, Math.Min(over - 1, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, policy.MaxDelaySeconds));
    }
}
