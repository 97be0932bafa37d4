namespace Routerd.Core.Upgrade;

/// <summary>The updater on the box (RAUC, Platform/Rauc): reads a bundle, writes it to the
/// inactive slot, reports and marks slots. Each call runs the tool to completion.</summary>
public interface IFirmwareTool
{
    /// <summary>Verifies the bundle's signature and reads its manifest; writes nothing.</summary>
    (BundleInfo? Info, string? Error) Inspect(string bundle);
    /// <summary>Writes the bundle into the inactive slot, reads the slot back against the bundle's
    /// image (SHA-256 over its size), and only then makes it the next boot's first try. Reports
    /// how far it is as it goes (<paramref name="progress"/>: percent of the step, the step in words).</summary>
    (bool Ok, string Message) Install(string bundle, BundleInfo info, Action<InstallProgress> progress);
    /// <summary>The slots as the tool sees them (rauc status JSON), null when it cannot say.</summary>
    string? Status();
    /// <summary>The running slot is healthy: the boot loader stops counting its tries.</summary>
    (bool Ok, string Message) MarkGood();
    /// <summary>Removes an uploaded bundle (refused, or installed and no longer needed).</summary>
    void Discard(string bundle);
}

/// <summary>How far an install is: <see cref="Step"/> is "writing" (the updater writes the slot) or
/// "verifying" (the written slot is read back), <see cref="Percent"/> 0-100 of that step, and the
/// updater's own words for what it does now.</summary>
public sealed record InstallProgress(string Step, int Percent, string Detail)
{
    public const string Writing = "writing";
    public const string Verifying = "verifying";

    /// <summary>One line of `rauc install` output: "&lt;percent&gt;% &lt;what&gt;" (RAUC's client prints
    /// one per change of its service's Progress property); null for its other lines ("installing",
    /// "idle", the final verdict).</summary>
    public static InstallProgress? FromRaucLine(string line)
    {
        var t = line.Trim();
        int pct = t.IndexOf('%');
        if (pct is < 1 or > 3 || !int.TryParse(t.AsSpan(0, pct), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int percent)
            || percent > 100) return null;
        return new InstallProgress(Writing, percent, t[(pct + 1)..].Trim());
    }
}
