using Routerd.Core.Loop;
using Routerd.Platform.Netlink;
using Routerd.Platform.Processes;
using Routerd.Core.Devices;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Platform.Nft;

/// <summary>Installs the rendered ruleset in one nftables transaction after a dry run has
/// checked it (what `nft -f` and `nft -c` do, through libnftables in this process). The ruleset names only `table inet routerd`; other tables are never touched.
/// The last applied ruleset and set elements are kept in the run directory: the same ruleset
/// is not loaded twice (counters survive a no-op apply, and a restarted routerd does not
/// reload), and a change of set elements alone never reloads the ruleset.</summary>
public sealed class NftFirewall(string runDir) : IFirewall, ISetCounterReader, IDisposable
{
    string RulesetFile => Path.Combine(runDir, "routerd.nft");
    string SetsFile => Path.Combine(runDir, "routerd.sets.nft");

    readonly Nftables nft = new();

    public string? Check(string ruleset, string sets)
    {
        var r = nft.Run(ruleset + sets, dryRun: true);
        return r.Succeeded ? null : r.Error;
    }

    /// <remarks>A change of set elements (a priority toggle, one forward more) costs one
    /// transaction: the elements that left and came since the last load
    /// (<see cref="SetElementsDelta"/>); if that fails (someone changed our elements), all of
    /// them; if that fails too (someone removed our table), the whole ruleset. The existence
    /// check is left for applies that change nothing.</remarks>
    public bool Apply(string ruleset, string sets)
    {
        if (Same(RulesetFile, ruleset))
        {
            string? loaded = File.Exists(SetsFile) ? File.ReadAllText(SetsFile) : null;
            bool done = loaded == sets ? TableExists()
                : loaded is not null && SetElementsDelta.Between(loaded, sets) is { } delta && nft.Run(delta).Succeeded
                || nft.Run(sets).Succeeded;
            if (done)
            {
                AtomicFile.Write(SetsFile, sets);
                return false;
            }
        }
        var r = nft.Run(ruleset + sets);
        if (!r.Succeeded) throw new ApplyException("firewall/NFT_FAILED", r.Error);
        AtomicFile.Write(RulesetFile, ruleset);
        AtomicFile.Write(SetsFile, sets);
        return true;
    }

    /// <summary>A set that is not there (the table is being replaced) reads as empty.</summary>
    public IReadOnlyList<SetCounter> ReadSetCounters(string set)
    {
        var r = nft.Run($"list set inet {NftRenderer.TableName} {set}", json: true);
        return r.Succeeded ? NftSetJson.Parse(r.Output) : [];
    }

    static bool Same(string file, string content) => File.Exists(file) && File.ReadAllText(file) == content;

    /// <summary>Asked over netlink: this runs at every start and every apply that changes nothing.</summary>
    static bool TableExists() => NetlinkObserver.NfTableExists(NetlinkInterop.NFPROTO_INET, NftRenderer.TableName);

    public void Dispose() => nft.Dispose();
}
