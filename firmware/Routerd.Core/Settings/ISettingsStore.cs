namespace Routerd.Core.Settings;

/// <summary>Where settings live between boots. The store holds only validated settings: callers
/// validate first, then <see cref="Save"/> commits in one step (and checkpoints), so a refused
/// change can never leave half of itself behind.</summary>
public interface ISettingsStore : IDisposable
{
    /// <summary>The stored settings, migrated to the current schema; null on first boot.</summary>
    RouterSettings? Load();
    void Save(RouterSettings settings);
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
