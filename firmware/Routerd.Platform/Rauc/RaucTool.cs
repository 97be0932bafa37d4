using System.ComponentModel;
using Routerd.Core.Upgrade;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Rauc;

/// <summary>RAUC (Debian's rauc 1.8) through its command line, each call an argument list: `info`
/// runs in this process's context (signature check against /etc/rauc's keyring, no slot touched);
/// `install`, `status` and `mark-good` talk to RAUC's service on the system bus, which owns the
/// slots and the boot loader's variables.</summary>
public sealed class RaucTool(string rauc) : IFirmwareTool
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

    public (bool Ok, string Message) Install(string bundle)
    {
        var r = Run(["install", bundle], InstallTimeout);
        return (r.Succeeded, Message(r));
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

    ProcessResult Run(string[] arguments, TimeSpan timeout)
    {
        try { return ProcessRunner.Run(rauc, arguments, timeout: timeout); }
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
}
