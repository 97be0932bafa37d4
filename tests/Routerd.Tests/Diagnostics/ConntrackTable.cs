using Routerd.Core.Diagnostics;

namespace Routerd.Tests.Diagnostics;

/// <summary>A connection table in memory for the conntrack readers' users; <see cref="Kept"/> is
/// how many entries the last dump's filter let through (the rest are never held).</summary>
sealed class ConntrackTable(IReadOnlyList<ConntrackEntry> entries) : IConntrackReader
{
    public int Kept { get; private set; }

    public IReadOnlyList<ConntrackEntry> Dump(Func<ConntrackEntry, bool> keep)
    {
        var kept = entries.Where(keep).ToList();
        Kept = kept.Count;
        return kept;
    }
}
