namespace Routerd.Core.Settings;

/// <summary>Where settings live between boots. The store holds only validated settings: callers
/// validate first, then <see cref="Save"/> commits in one step, so a refused change can never
/// leave half of itself behind. The router stores a change before it applies it (DESIGN.md:
/// store, then apply).</summary>
public interface ISettingsStore : IDisposable
{
    /// <summary>The stored settings, migrated to the current schema; null on first boot.</summary>
    RouterSettings? Load();
    /// <summary>Commits the settings; when it returns they are on the disk (flushed), so the change
    /// survives a power cut from then on.</summary>
    /// <exception cref="StoreException">nothing was stored: the previous settings are still the stored
    /// ones, and the store takes the next <see cref="Save"/> as usual (after a full disk, once there is
    /// room again).</exception>
    void Save(RouterSettings settings);
}

/// <summary>A change could not be stored, so nothing of it was applied. <see cref="Code"/>:
/// <see cref="Full"/> when the disk is full, else <see cref="WriteFailed"/>.</summary>
public sealed class StoreException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public const string Full = "store/FULL";
    public const string WriteFailed = "store/WRITE_FAILED";
    public string Code { get; } = code;
}

/// <summary>What the store found at start when it was not simply fine: a code for the UI's
/// banner (store/RESTORED, store/RESCUE, store/BEHIND), the sentence for the log, and where the
/// damaged file was kept.</summary>
public sealed record StoreHealth(string Code, string Message, string? DamagedCopy)
{
    public const string Restored = "store/RESTORED";
    public const string Rescue = "store/RESCUE";
    public const string Behind = "store/BEHIND";
}
