namespace Routerd.Platform.Processes;

/// <summary>Writes a config file so that a reader (dnsmasq on SIGHUP, a crash mid-write) sees
/// either the old or the new content, never half of it.</summary>
public static class AtomicFile
{
    /// <returns>false when the file already held exactly this content (nothing was written).</returns>
    /// <param name="compare">false: the caller knows the content is new (the file is not read first).</param>
    /// <param name="flush">false: the file describes state that a power cut ends anyway (the
    /// kernel's, in the run directory): renamed into place without waiting for the disk.</param>
    public static bool Write(string path, string content, UnixFileMode? mode = null, bool compare = true, bool flush = true)
    {
        if (compare && File.Exists(path) && File.ReadAllText(path) == content) return false;
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            if (mode is { } m) File.SetUnixFileMode(f.SafeFileHandle, m);
            using var w = new StreamWriter(f);
            w.Write(content);
            w.Flush();
            f.Flush(flushToDisk: flush);
        }
        File.Move(tmp, path, overwrite: true);
        return true;
    }
}
