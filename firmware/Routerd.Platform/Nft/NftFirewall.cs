using Routerd.Core.Rendering;
using Routerd.Core.Reconcile;
using Routerd.Core.Traffic;
using Routerd.Platform.Netlink;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Nft;

/// <summary>Installs the rendered ruleset with one `nft -f` transaction after `nft -c` has
/// checked it. The ruleset names only `table inet routerd`; other tables are never touched.
/// The last applied ruleset and set elements are kept in the run directory: the same ruleset
/// is not loaded twice (counters survive a no-op apply, and a restarted routerd does not
/// reload), and a change of set elements alone never reloads the ruleset.</summary>
public sealed class NftFirewall(string nft, string runDir) : IFirewall, ISetCounterReader
{
    string RulesetFile => Path.Combine(runDir, "routerd.nft");
    string SetsFile => Path.Combine(runDir, "routerd.sets.nft");

    public string? Check(string ruleset, string sets)
    {
        var r = ProcessRunner.Run(nft, ["-c", "-f", "-"], ruleset + sets);
        return r.Succeeded ? null : r.StandardError.Trim();
    }

    /// <remarks>A change of set elements (a priority toggle) costs one `nft` process: the
    /// elements are loaded straight away, and only if that fails (someone removed our table) is
    /// the whole ruleset loaded. The existence check is left for applies that change nothing.</remarks>
    public bool Apply(string ruleset, string sets)
    {
        if (Same(RulesetFile, ruleset))
        {
            if (Same(SetsFile, sets) ? TableExists() : TryRun(sets).Succeeded)
            {
                AtomicFile.Write(SetsFile, sets);
                return false;
            }
        }
        var r = TryRun(ruleset + sets);
        if (!r.Succeeded) throw new ApplyException("firewall/NFT_FAILED", r.StandardError.Trim());
        AtomicFile.Write(RulesetFile, ruleset);
        AtomicFile.Write(SetsFile, sets);
        return true;
    }

    ProcessResult TryRun(string script) => ProcessRunner.Run(nft, ["-f", "-"], script);

    /// <summary>A set that is not there (the table is being replaced) reads as empty.</summary>
    public IReadOnlyList<SetCounter> ReadSetCounters(string set)
    {
        var r = ProcessRunner.Run(nft, ["-j", "list", "set", "inet", NftRenderer.TableName, set]);
        return r.Succeeded ? NftSetJson.Parse(r.StandardOutput) : [];
    }

    static bool Same(string file, string content) => File.Exists(file) && File.ReadAllText(file) == content;

    /// <summary>Asked over netlink: this runs at every start and every apply that changes nothing.</summary>
    static bool TableExists() => NetlinkObserver.NfTableExists(NetlinkInterop.NFPROTO_INET, NftRenderer.TableName);
}
