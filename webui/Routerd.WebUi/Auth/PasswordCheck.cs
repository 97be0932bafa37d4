using Routerd.Core.Admin;

namespace Routerd.WebUi.Auth;

/// <summary>Every password check of the web API goes through here: PBKDF2 with 600,000
/// iterations costs ~0.2 s of a core, so at most <see cref="MaxConcurrent"/> run at once and the
/// rest of the router (and the owner's own login) keeps a core, whatever arrives.</summary>
public static class PasswordCheck
{
    public const int MaxConcurrent = 1;
    /// <summary>How long a check waits for its turn before the client is told to come back.</summary>
    static readonly TimeSpan Queue = TimeSpan.FromSeconds(10);
    static readonly SemaphoreSlim Hashing = new(MaxConcurrent, MaxConcurrent);

    /// <returns>Whether the password matches; null when it could not be checked in time (busy).</returns>
    public static async Task<bool?> Verify(string password, string hash, CancellationToken aborted)
    {
        try
        {
            if (!await Hashing.WaitAsync(Queue, aborted)) return null;
        }
        catch (OperationCanceledException) { return null; }
        try { return PasswordHasher.Verify(password, hash); }
        finally { Hashing.Release(); }
    }
}
