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
/// only at start; after that a change writes them without reading them first. The set elements'
/// file is the whole content once, then each change appended to it (a line or two for one forward
/// more, not the ~400 KB of 10,000 forwarded ports again), until the changes outgrow the content.</summary>
public sealed class NftFirewall(string runDir) : IFirewall, ISetCounterReader, IDisposable
{
    string RulesetFile => Path.Combine(runDir, "routerd.nft");
    string SetsFile => Path.Combine(runDir, "routerd.sets.nft");

    readonly Nftables nft = new();
    bool recordRead;
    string? loadedRuleset;
    /// <summary>The set elements loaded last; after a start, until the first apply, only the file's
    /// text (<see cref="loadedSetsText"/>) is known.</summary>
    SetElements? loadedSets;
    string? loadedSetsText;
    /// <summary>The characters of the set elements' file: its whole content, then the changes appended.</summary>
    long setsWhole, setsAppended;

    public string? Check(string ruleset, SetElements sets)
    {
        var r = nft.Run(ruleset + sets.ToNft(), dryRun: true);
        return r.Succeeded ? null : r.Error;
    }

    /// <remarks>A change of set elements (a priority toggle, one forward more) costs one
    /// transaction: the elements that left and came since the last load
    /// (<see cref="SetElementsDelta"/>); if that fails (someone changed our elements), all of
    /// them; if that fails too (someone removed our table), the whole ruleset. The existence
    /// check is left for applies that change nothing.</remarks>
    public bool Apply(string ruleset, SetElements sets, bool reload = false)
    {
        LoadRecord();
        if (loadedRuleset == ruleset && !reload)
        {
            bool done;
            string? delta = null;
            if (loadedSets is { } last)
                done = last.Equals(sets) ? TableExists()
                    : (delta = SetElementsDelta.Between(last, sets)) is not null && Run(delta) || Whole(sets, out delta);
            else
            {
                // After a start only the file's text is known: compared and parsed once, at the first apply.
                string text = sets.ToNft();
                done = text == loadedSetsText ? TableExists()
                    : loadedSetsText is not null && (delta = SetElementsDelta.Between(loadedSetsText, text)) is not null && Run(delta) || Whole(sets, out delta);
            }
            if (done)
            {
                Record(ruleset, sets, delta);
                return false;
            }
        }
        var r = nft.Run(ruleset + sets.ToNft());
        if (!r.Succeeded) throw new ApplyException("firewall/NFT_FAILED", r.Error);
        Record(ruleset, sets, null);
        return true;
    }

    /// <summary>A delta through libnftables; an empty one (groups that differ but write out the same
    /// elements) changes nothing in the kernel and is not handed to it.</summary>
    bool Run(string delta) => delta.Length == 0 || nft.Run(delta).Succeeded;

    /// <summary>All the elements again (flush, then add, in one transaction); no delta to record.</summary>
    bool Whole(SetElements sets, out string? delta)
    {
        delta = null;
        return nft.Run(sets.ToNft()).Succeeded;
    }

    /// <summary>What is loaded, as the run directory's files say at start (another routerd of this
    /// boot loaded it): read once, then kept here. The set elements' file may hold changes after
    /// the content; they are replayed onto it (null, and a full load of the elements, if they
    /// cannot be: a write cut short).</summary>
    void LoadRecord()
    {
        if (recordRead) return;
        recordRead = true;
        loadedRuleset = File.Exists(RulesetFile) ? File.ReadAllText(RulesetFile) : null;
        loadedSetsText = File.Exists(SetsFile) ? SetElementsDelta.Replayed(File.ReadAllText(SetsFile)) : null;
    }

    /// <param name="delta">what was loaded when the elements changed by a delta (null: the whole content).</param>
    void Record(string ruleset, SetElements sets, string? delta)
    {
        // What the kernel holds until the next boot: a power cut clears both, so nothing waits for the disk.
        if (loadedRuleset != ruleset) AtomicFile.Write(RulesetFile, ruleset, compare: false, flush: false);
        if (delta is { Length: > 0 } && loadedSets is not null && setsAppended + delta.Length <= setsWhole)
        {
            // Appended, not replaced: a write cut short leaves a line that does not end as a command
            // does, and the next start loads the elements whole (Replayed).
            File.AppendAllText(SetsFile, delta);
            setsAppended += delta.Length;
        }
        // An empty delta, or the elements loaded before: the file says what the kernel holds already.
        else if (delta is not { Length: 0 } && loadedSets?.Equals(sets) != true && sets.ToNft() is var text && text != loadedSetsText)
        {
            AtomicFile.Write(SetsFile, text, compare: false, flush: false);
            (setsWhole, setsAppended) = (text.Length, 0);
        }
        (loadedRuleset, loadedSets, loadedSetsText) = (ruleset, sets, null);
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
