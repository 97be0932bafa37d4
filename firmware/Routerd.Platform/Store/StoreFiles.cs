namespace Routerd.Platform.Store;

/// <summary>File chores the settings store's two files (the database, the good copy) share.</summary>
static class StoreFiles
{
    /// <summary>The directory holding <paramref name="path"/>: the one to flush after a rename in it.</summary>
    public static string DirectoryOf(string path) => Path.GetDirectoryName(Path.GetFullPath(path))!;

    /// <summary>A leftover removed if it can be; one that cannot stays for the next try.</summary>
    public static void DeleteQuietly(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
    }
}
