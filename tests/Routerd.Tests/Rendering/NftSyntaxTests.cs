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
        string ruleset = File.ReadAllText(Path.Combine(dir, "routerd.nft"));
        // A flowtable names real devices (made here as veth devices: the namespace has only lo) and
        // needs nf_flow_table, which the development host's kernel lacks: there the rest of the
        // ruleset is checked without it, and the lab VM loads the whole (routerd-flowtable.sh).
        var devices = FlowtableDevices(ruleset);
        if (devices.Count > 0 && !KernelHasFlowtable()) (ruleset, devices) = (WithoutFlowtable(ruleset), []);
        File.WriteAllText(file, ruleset + File.ReadAllText(Path.Combine(dir, "vip-sets.nft"))
            + File.ReadAllText(Path.Combine(dir, "forward-map.nft")) + File.ReadAllText(Path.Combine(dir, "pause-sets.nft"))
            + (File.Exists(Path.Combine(dir, "virtual-servers.nft")) ? File.ReadAllText(Path.Combine(dir, "virtual-servers.nft")) : ""));
        string dummies = string.Concat(devices.Select((d, i) => $"ip link add {d} type veth peer name peer{i} && "));
        var psi = new ProcessStartInfo("unshare", ["--net", "sh", "-c", $"{dummies}nft -c -f \"$1\"", "check", file]) { RedirectStandardError = true };
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

    /// <summary>The devices of the ruleset's flowtable (none: it has no flowtable).</summary>
    static List<string> FlowtableDevices(string ruleset) =>
        System.Text.RegularExpressions.Regex.Match(ruleset, @"flowtable \w+ \{[^}]*devices = \{ ([^}]*) \}") is { Success: true } m
            ? [.. m.Groups[1].Value.Split(", ").Select(d => d.Trim('"'))]
            : [];

    /// <summary>The ruleset without its flowtable, the rule that offloads to it, and the offload
    /// statement of the rule that also accepts (the upload's fast exit).</summary>
    internal static string WithoutFlowtable(string ruleset)
    {
        var without = System.Text.RegularExpressions.Regex.Replace(ruleset, @"\tflowtable \w+ \{\n(\t\t[^\n]*\n)*\t\}\n\n", "");
        return string.Join('\n', without.Split('\n')
            .Select(l => l.Contains(" accept ", StringComparison.Ordinal) ? System.Text.RegularExpressions.Regex.Replace(l, @"flow add @\w+ ", "") : l)
            .Where(l => !l.Contains(" flow add @", StringComparison.Ordinal)));
    }

    /// <summary>Asked as routerd asks (FlowtableProbe's ruleset), in a throwaway namespace.</summary>
    static bool KernelHasFlowtable()
    {
        var psi = new ProcessStartInfo("unshare", ["--net", "nft", "-c", "-f", "-"]) { RedirectStandardInput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(Routerd.Platform.Nft.FlowtableProbe.Ruleset);
        p.StandardInput.Close();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    [Fact]
    public void Without_flowtable_removes_the_flowtable_and_its_offload_rule_only()
    {
        string ruleset = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "fast-path-flowtable", "expected", "routerd.nft"));
        string without = WithoutFlowtable(ruleset);
        Assert.DoesNotContain("flowtable fastpath", without);
        Assert.DoesNotContain("flow add", without);
        Assert.Contains("ct mark & 0x00000002 != 0x00000002 update @traffic_up", without);
        Assert.Contains("ct state established meta l4proto tcp accept comment", without); // the fast exit stays, without its offload
        Assert.Equal(ruleset.Split('\n').Length - 7, without.Split('\n').Length); // the 6 lines of the flowtable and one rule
    }
}
