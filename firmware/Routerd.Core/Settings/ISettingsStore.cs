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
