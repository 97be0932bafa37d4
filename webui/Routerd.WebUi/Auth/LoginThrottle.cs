using System.Net;
using Routerd.Core.Settings;

namespace Routerd.WebUi.Auth;

/// <summary>Slows password guessing per client address: after a few free failures every further
/// wrong password makes that client wait, the wait doubling up to a maximum. A right password
/// (once the wait is over) clears the slate. Attempts during a wait are not checked at all.</summary>
public sealed class LoginThrottle(TimeProvider clock, LoginThrottleBoard policy)
{
    /// <summary>Bounds memory against address-hopping clients: the oldest records go first.</summary>
    public const int MaxClients = 1024;

    sealed class Record
    {
        public int Failures;
        public DateTimeOffset LastFailure, BlockedUntil;
    }

    readonly Lock gate = new();
    readonly Dictionary<IPAddress, Record> clients = [];

    /// <summary>How long the client must still wait before its next attempt; zero when it may try now.</summary>
    public TimeSpan Wait(IPAddress? client)
    {
        var now = clock.GetUtcNow();
        lock (gate)
            return client is not null && clients.TryGetValue(client, out var r) && r.BlockedUntil > now ? r.BlockedUntil - now : TimeSpan.Zero;
    }

    /// <summary>Records a wrong password; returns the wait it earned (zero while failures are free).</summary>
    public TimeSpan Failed(IPAddress? client)
    {
        if (client is null) return TimeSpan.Zero; // the control socket is trusted
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (!clients.TryGetValue(client, out var r))
            {
                if (clients.Count >= MaxClients) clients.Remove(clients.MinBy(c => c.Value.LastFailure).Key);
                clients[client] = r = new Record();
            }
            r.Failures++;
            r.LastFailure = now;
            var delay = Delay(r.Failures);
            r.BlockedUntil = now + delay;
            return delay;
        }
    }

    public void Succeeded(IPAddress? client)
    {
        if (client is null) return;
        lock (gate) clients.Remove(client);
    }

    /// <summary>The wait after the n-th consecutive failure.</summary>
    public TimeSpan Delay(int failures)
    {
        int over = failures - policy.FreeFailures;
        if (over <= 0) return TimeSpan.Zero;
        double seconds = policy.FirstDelaySeconds * Math.Pow(2, Math.Min(over - 1, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, policy.MaxDelaySeconds));
    }
}
