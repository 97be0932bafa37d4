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
/// The last applied ruleset and set elements are kept in memory and in the run directory: the
/// same ruleset is not loaded twice (counters survive a no-op apply, and a restarted routerd does
/// not reload), and a change of set elements alone never reloads the ruleset. The files are read
/// only at start; after that a change writes them without reading them first.</summary>
public sealed class NftFirewall(string runDir) : IFirewall, ISetCounterReader, IDisposable
{
    string RulesetFile => Path.Combine(runDir, "routerd.nft");
    string SetsFile => Path.Combine(runDir, "routerd.sets.nft");

    readonly Nftables nft = new();
    bool recordRead;
    string? loadedRuleset, loadedSets;
    SetElementsDelta.Parsed? loadedParsed;

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
    public bool Apply(string ruleset, string sets, bool reload = false)
    {
        LoadRecord();
        if (loadedRuleset == ruleset && !reload)
        {
            bool done;
            SetElementsDelta.Parsed? parsed = null;
            if (loadedSets == sets) done = TableExists();
            else
            {
                parsed = SetElementsDelta.Parsed.From(sets);
                // After a start only the file's text is known: parsed once, at the first change.
                loadedParsed ??= loadedSets is null ? null : SetElementsDelta.Parsed.From(loadedSets);
                done = loadedParsed is not null && parsed is not null && loadedParsed.DeltaTo(parsed) is { } delta && nft.Run(delta).Succeeded
                    || nft.Run(sets).Succeeded;
            }
            if (done)
            {
                Record(ruleset, sets, parsed ?? loadedParsed);
                return false;
            }
        }
        var r = nft.Run(ruleset + sets);
        if (!r.Succeeded) throw new ApplyException("firewall/NFT_FAILED", r.Error);
        Record(ruleset, sets, null);
        return true;
    }

    /// <summary>What is loaded, as the run directory's files say at start (another routerd of this
    /// boot loaded it): read once, then kept here.</summary>
    void LoadRecord()
    {
        if (recordRead) return;
        recordRead = true;
        loadedRuleset = File.Exists(RulesetFile) ? File.ReadAllText(RulesetFile) : null;
        loadedSets = File.Exists(SetsFile) ? File.ReadAllText(SetsFile) : null;
    }

    void Record(string ruleset, string sets, SetElementsDelta.Parsed? parsed)
    {
        // What the kernel holds until the next boot: a power cut clears both, so nothing waits for the disk.
        if (loadedRuleset != ruleset) AtomicFile.Write(RulesetFile, ruleset, compare: false, flush: false);
        if (loadedSets != sets) AtomicFile.Write(SetsFile, sets, compare: false, flush: false);
        (loadedRuleset, loadedSets) = (ruleset, sets);
        loadedParsed = parsed ?? SetElementsDelta.Parsed.From(sets);
    }

    /// <summary>A set that is not there (the table is being replaced) reads as empty.</summary>
    public IReadOnlyList<SetCounter> ReadSetCounters(string set)
    {
        var r = nft.Run($"list set inet {NftRenderer.TableName} {set}", json: true);
        return r.Succeeded ? NftSetJson.Parse(r.Output) : [];
    }

    /// <summary>Asked over netlink: this runs at every start and every apply that changes nothing.</summary>
    static bool TableExists() => NetlinkObserver.NfTableExists(NetlinkInterop.NFPROTO_INET, NftRenderer.TableName);

    public void Dispose() => nft.Dispose();
}
