using System.Diagnostics;
using Xunit;

namespace Routerd.Tests.Rendering;

/// <summary>Every golden ruleset is accepted by the real nft parser and kernel (`nft -c` in a
/// throwaway network namespace, so nothing on this machine changes).</summary>
public class NftSyntaxTests
{
    [Theory]
    [MemberData(nameof(GoldenTests.Cases), MemberType = typeof(GoldenTests))]
    public void Golden_ruleset_passes_nft_check(string name)
    {
        // The table and its set elements, as the firewall adapter loads them: one transaction.
        string dir = Path.Combine(AppContext.BaseDirectory, "Golden", name, "expected");
        string file = Path.Combine(Path.GetTempPath(), $"routerd-nft-check-{name}-{Environment.ProcessId}.nft");
        File.WriteAllText(file, File.ReadAllText(Path.Combine(dir, "routerd.nft")) + File.ReadAllText(Path.Combine(dir, "vip-sets.nft"))
            + File.ReadAllText(Path.Combine(dir, "forward-map.nft")) + File.ReadAllText(Path.Combine(dir, "pause-sets.nft"))
            + (File.Exists(Path.Combine(dir, "virtual-servers.nft")) ? File.ReadAllText(Path.Combine(dir, "virtual-servers.nft")) : ""));
        var psi = new ProcessStartInfo("unshare", ["--net", "nft", "-c", "-f", file]) { RedirectStandardError = true };
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("needs unshare (util-linux) and nft (nftables): run ./build.sh deps as root", e);
        }
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        File.Delete(file);
        Assert.True(p.ExitCode == 0, $"nft -c refused {name} (this check needs root: run the tests as root): {err}");
    }
}
