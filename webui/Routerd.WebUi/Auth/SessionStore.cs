using System.Security.Cryptography;
using Routerd.Core.Time;

namespace Routerd.WebUi.Auth;

/// <summary>A logged-in browser: who, its CSRF token, and when it was last used (a reading of the
/// store's monotonic clock).</summary>
public sealed class Session(string id, string username, string csrfToken, TimeSpan now)
{
    public string Id { get; } = id;
    public string Username { get; } = username;
    public string CsrfToken { get; } = csrfToken;
    public TimeSpan LastSeen { get; internal set; } = now;

    /// <summary>Constant-time comparison, so the token cannot be guessed byte by byte from timing.</summary>
    public bool CsrfMatches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(presented), System.Text.Encoding.UTF8.GetBytes(CsrfToken));
}

/// <summary>Web sessions, in memory only (a reboot logs everyone out). Tokens are 256 random
/// bits; a session unused for <see cref="IdleTimeout"/> is gone. Idleness is timed on the monotonic
/// clock: NTP stepping the date forward must not log everyone out, nor a step back keep a session for years.</summary>
public sealed class SessionStore(TimeProvider clock, TimeSpan idleTimeout)
{
    readonly MonotonicClock monotonic = new(clock);

    public const string CookieName = "routerd_session";
    /// <summary>Bounds memory against a client that logs in in a loop: the least recently used go first.</summary>
    public const int MaxSessions = 64;

    readonly Lock gate = new();
    readonly Dictionary<string, Session> sessions = new(StringComparer.Ordinal);

    public TimeSpan IdleTimeout { get; } = idleTimeout;

    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public Session Create(string username)
    {
        var now = monotonic.Now;
        var session = new Session(NewToken(), username, NewToken(), now);
        lock (gate)
        {
            Prune(now);
            if (sessions.Count >= MaxSessions)
                sessions.Remove(sessions.Values.MinBy(s => s.LastSeen)!.Id);
            sessions[session.Id] = session;
        }
        return session;
    }

    /// <summary>The live session for a cookie value, its idle clock restarted; null if unknown or expired.</summary>
    public Session? Touch(string? id)
    {
        if (string.IsNullOrEmpty(id)) return null;
        var now = monotonic.Now;
        lock (gate)
        {
            if (!sessions.TryGetValue(id, out var s)) return null;
            if (now - s.LastSeen >= IdleTimeout)
            {
                sessions.Remove(id);
                return null;
            }
            s.LastSeen = now;
            return s;
        }
    }

    public void Remove(string id)
    {
        lock (gate) sessions.Remove(id);
    }

    /// <summary>Ends every session but <paramref name="keep"/> (after a password change), or all (null).</summary>
    public void RemoveAllExcept(string? keep)
    {
        lock (gate)
            foreach (var id in sessions.Keys.Where(k => k != keep).ToList()) sessions.Remove(id);
    }

    public int Count
    {
        get { lock (gate) return sessions.Count; }
    }

    void Prune(TimeSpan now)
    {
        foreach (var s in sessions.Values.Where(s => now - s.LastSeen >= IdleTimeout).ToList()) sessions.Remove(s.Id);
    }
}
