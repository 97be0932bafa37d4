using System.Runtime.InteropServices;

namespace Routerd.Platform.Processes;

/// <summary>Who may read what routerd writes. routerd runs with umask 077, so everything it and
/// its children create is private to root unless granted here, one file at a time.</summary>
public static partial class FileModes
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PrivateDirectory = OwnerOnly | UnixFileMode.UserExecute;

    /// <summary>New files 0600 and directories 0700, for routerd and the daemons it starts.</summary>
    public static void PrivateByDefault() => Umask(0b000_111_111);

    /// <summary>root:<paramref name="group"/> with group read (files) or group traverse
    /// (directories), nothing for others: what a daemon that drops to that group must still open.</summary>
    public static void GrantGroup(string path, int group)
    {
        if (Chown(path, 0, group) != 0)
            throw new IOException($"chown {path} to group {group} failed: errno {Marshal.GetLastPInvokeError()}");
        File.SetUnixFileMode(path, Directory.Exists(path)
            ? PrivateDirectory | UnixFileMode.GroupExecute
            : OwnerOnly | UnixFileMode.GroupRead);
    }

    /// <summary>The id of a group by name, from /etc/group; null if there is no such group.</summary>
    public static int? GroupId(string name)
    {
        foreach (var line in File.ReadLines("/etc/group"))
        {
            var f = line.Split(':');
            if (f.Length >= 3 && f[0] == name && int.TryParse(f[2], out int gid)) return gid;
        }
        return null;
    }

    /// <summary>fsync of a file or a directory (so that a rename in it survives a power cut).</summary>
    public static void FlushToDisk(string path)
    {
        int fd = Open(path, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"open {path} failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally { Close(fd); }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, int owner, int group);
}
