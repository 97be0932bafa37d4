using Routerd.Core.Rendering;
using Routerd.Core.Reconcile;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Nft;

/// <summary>Installs the rendered ruleset with one `nft -f` transaction after `nft -c` has
/// checked it. The ruleset names only `table inet routerd`; other tables are never touched.
/// The last applied text is kept in the run directory: the same ruleset is not loaded twice,
/// so counters and dynamic set elements survive a no-op apply.</summary>
public sealed class NftFirewall(string nft, string runDir) : IFirewall
{
    string AppliedFile => Path.Combine(runDir, "routerd.nft");

    public string? Check(string ruleset)
    {
        var r = ProcessRunner.Run(nft, ["-c", "-f", "-"], ruleset);
        return r.Succeeded ? null : r.StandardError.Trim();
    }

    public bool Apply(string ruleset)
    {
        if (File.Exists(AppliedFile) && File.ReadAllText(AppliedFile) == ruleset && TableExists()) return false;
        var r = ProcessRunner.Run(nft, ["-f", "-"], ruleset);
        if (!r.Succeeded) throw new ApplyException("firewall/NFT_FAILED", r.StandardError.Trim());
        AtomicFile.Write(AppliedFile, ruleset);
        return true;
    }

    public string? ListTable()
    {
        var r = ProcessRunner.Run(nft, ["list", "table", "inet", NftRenderer.TableName]);
        return r.Succeeded ? r.StandardOutput : null;
    }

    bool TableExists() => ProcessRunner.Run(nft, ["list", "table", "inet", NftRenderer.TableName]).Succeeded;
}
