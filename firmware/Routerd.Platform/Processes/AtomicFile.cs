namespace Routerd.Platform.Processes;

/// <summary>Writes a config file so that a reader (dnsmasq on SIGHUP, a crash mid-write) sees
/// either the old or the new content, never half of it.</summary>
public static class AtomicFile
{
    /// <returns>false when the file already held exactly this content (nothing was written).</returns>
    public static bool Write(string path, string content, UnixFileMode? mode = null)
    {
        if (File.Exists(path) && File.ReadAllText(path) == content) return false;
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            if (mode is { } m) File.SetUnixFileMode(f.SafeFileHandle, m);
            using var w = new StreamWriter(f);
            w.Write(content);
            w.Flush();
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        return true;
    }
}
