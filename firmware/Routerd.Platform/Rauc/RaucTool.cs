using System.ComponentModel;
using Routerd.Core.Upgrade;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Rauc;

/// <summary>RAUC (Debian's rauc 1.8) through its command line, each call an argument list: `info`
/// runs in this process's context (signature check against /etc/rauc's keyring, no slot touched);
/// `install`, `status` and `mark-good` talk to RAUC's service on the system bus, which owns the
/// slots and the boot loader's variables.</summary>
public sealed partial class RaucTool(string rauc) : IFirmwareTool
{
    /// <summary>Writing a 640 MiB slot on an SD card takes minutes.</summary>
    static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(30);
    static readonly TimeSpan QueryTimeout = TimeSpan.FromMinutes(2);

    public (BundleInfo? Info, string? Error) Inspect(string bundle)
    {
        var r = Run(["info", "--output-format=json", bundle], QueryTimeout);
        if (!r.Succeeded) return (null, Message(r));
        return BundleInfoJson.Parse(r.StandardOutput) is { } info ? (info, null) : (null, "rauc info gave no manifest");
    }

    /// <summary>system.conf has activate-installed=false: `rauc install` writes the other slot
    /// (RAUC has checked the bundle's signature and its image's hash before writing) but does not
    /// switch to it. The slot is then read back here against the image's SHA-256 and size, and only
    /// a slot that matches is made the next boot's first try (`rauc status mark-active other`).</summary>
    public (bool Ok, string Message) Install(string bundle, BundleInfo info, Action<InstallProgress> progress)
    {
        if (info.Image is not { } image) return (false, "the bundle names no root slot image to verify the written slot against");
        var r = Run(["install", bundle], InstallTimeout, line =>
        {
            if (InstallProgress.FromRaucLine(line) is { } p) progress(p);
        });
        if (!r.Succeeded) return (false, Message(r));
        if (Status() is not { } status || RaucStatusJson.OtherDevice(status) is not { } device)
            return (false, "written, but RAUC did not say which device the other slot is: not activated");
        progress(new InstallProgress(InstallProgress.Verifying, 0, $"reading {device} back"));
        string? read = ReadBack(device, image.Size, percent => progress(new InstallProgress(InstallProgress.Verifying, percent, $"reading {device} back")), out string? error);
        if (read != image.Sha256)
            return (false, $"the written slot {device} does not read back as the bundle's image ({error ?? $"SHA-256 {read} instead of {image.Sha256}"}): not activated");
        var active = Run(["status", "mark-active", "other"], QueryTimeout);
        return active.Succeeded
            ? (true, $"written to {device}, read back ({image.Size} bytes, SHA-256 matches) and activated")
            : (false, $"written and read back, but activating it failed: {Message(active)}");
    }

    /// <summary>SHA-256 of the first <paramref name="size"/> bytes of the slot device, read with
    /// the page cache dropped for the device first so the bytes come from the disk.</summary>
    static string? ReadBack(string device, long size, Action<int> percent, out string? error)
    {
        error = null;
        try
        {
            using var f = new FileStream(device, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            // What RAUC wrote may still be in the page cache: drop the device's cached pages (RAUC
            // synced them) so the read comes from the disk.
            if (Fadvise(f.SafeFileHandle, 0, 0, FadviseDontNeed) != 0) { error = "could not drop the slot's cached pages"; return null; }
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];
            long left = size;
            int shown = 0;
            while (left > 0)
            {
                int n = f.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n <= 0) { error = $"the device ended {left} bytes short of the image"; return null; }
                sha.AppendData(buffer, 0, n);
                left -= n;
                int now = (int)((size - left) * 100 / size);
                if (now != shown) percent(shown = now);
            }
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e.Message;
            return null;
        }
    }

    public string? Status()
    {
        var r = Run(["status", "--detailed", "--output-format=json"], QueryTimeout);
        return r.Succeeded ? r.StandardOutput : null;
    }

    public (bool Ok, string Message) MarkGood()
    {
        var r = Run(["status", "mark-good"], QueryTimeout);
        return (r.Succeeded, Message(r));
    }

    public void Discard(string bundle)
    {
        try { File.Delete(bundle); }
        catch (IOException) { }
    }

    ProcessResult Run(string[] arguments, TimeSpan timeout, Action<string>? outputLine = null)
    {
        try { return ProcessRunner.Run(rauc, arguments, timeout: timeout, outputLine: outputLine); }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or TimeoutException)
        {
            return new ProcessResult(-1, "", $"{rauc}: {e.Message}");
        }
    }

    /// <summary>RAUC's last lines (its error, or its "succeeded"), without the progress chatter.</summary>
    static string Message(ProcessResult r)
    {
        var lines = (r.StandardError + "\n" + r.StandardOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" ", lines.TakeLast(3));
    }

    const int FadviseDontNeed = 4;   // POSIX_FADV_DONTNEED on Linux

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int Fadvise(Microsoft.Win32.SafeHandles.SafeFileHandle fd, long offset, long length, int advice);
}
