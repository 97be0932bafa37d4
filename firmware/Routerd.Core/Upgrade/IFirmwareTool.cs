namespace Routerd.Core.Upgrade;

/// <summary>The updater on the box (RAUC, Platform/Rauc): reads a bundle, writes it to the
/// inactive slot, reports and marks slots. Each call runs the tool to completion.</summary>
public interface IFirmwareTool
{
    /// <summary>Verifies the bundle's signature and reads its manifest; writes nothing.</summary>
    (BundleInfo? Info, string? Error) Inspect(string bundle);
    /// <summary>Writes the bundle into the inactive slot, reads the slot back against the bundle's
    /// image (SHA-256 over its size), and only then makes it the next boot's first try.</summary>
    (bool Ok, string Message) Install(string bundle, BundleInfo info);
    /// <summary>The slots as the tool sees them (rauc status JSON), null when it cannot say.</summary>
    string? Status();
    /// <summary>The running slot is healthy: the boot loader stops counting its tries.</summary>
    (bool Ok, string Message) MarkGood();
    /// <summary>Removes an uploaded bundle (refused, or installed and no longer needed).</summary>
    void Discard(string bundle);
}
