using Routerd.Core.Upgrade;
using Routerd.Platform.Processes;

namespace Routerd.Platform.UBoot;

/// <summary>The last-good record as a file on the boot partition (rpi4: FAT, /boot/firmware), which
/// U-Boot's boot.scr loads when uboot.env is missing or damaged. FAT has no journal: the text goes
/// to a temporary file that is flushed to the card, then renamed over the record, and the directory
/// is flushed too, so a power cut leaves the old record or the new one.</summary>
public sealed class LastGoodFile(string path) : ILastGoodRecord
{
    public string? Read()
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public void Write(string text)
    {
        AtomicFile.Write(path, text, compare: false);
        FileModes.FlushToDisk(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
