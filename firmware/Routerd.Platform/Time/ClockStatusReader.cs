using System.Runtime.InteropServices;
using Routerd.Core.Time;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Time;

/// <summary>How this machine keeps its clock: the kernel's own state (adjtimex with no change
/// asked: TIME_ERROR means "not synchronised"), whether systemd-timesyncd runs (the images' time
/// service; its process calls itself "systemd-timesyn", the kernel's 15 characters), and the
/// server it follows as timedatectl reports it.</summary>
public sealed partial class ClockStatusReader : IClockStatusReader
{
    const string Service = "systemd-timesyncd";
    const int TimeError = 5;

    public ClockStatus Read()
    {
        bool? synchronized = KernelSynchronized();
        bool running = Running("systemd-timesyn");
        return new ClockStatus(synchronized, Service, running, running ? Server() : null);
    }

    static unsafe bool? KernelSynchronized()
    {
        // struct timex is 208 bytes on 64-bit Linux; modes = 0 (the first field) only reads.
        byte* timex = stackalloc byte[256];
        new Span<byte>(timex, 256).Clear();
        int state = Adjtimex(timex);
        return state < 0 ? null : state != TimeError;
    }

    static bool Running(string comm)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!char.IsAsciiDigit(Path.GetFileName(dir)[0])) continue;
            try { if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() == comm) return true; }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return false;
    }

    /// <summary>"ntp.example (192.0.2.1)", or null when timedatectl cannot say (no D-Bus, no server yet).</summary>
    static string? Server()
    {
        try
        {
            var r = ProcessRunner.Run("timedatectl", ["show-timesync", "--property=ServerName", "--property=ServerAddress"], timeout: TimeSpan.FromSeconds(2));
            if (!r.Succeeded) return null;
            var values = r.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split('=', 2)).Where(p => p.Length == 2 && p[1].Length > 0).ToDictionary(p => p[0], p => p[1]);
            return (values.GetValueOrDefault("ServerName"), values.GetValueOrDefault("ServerAddress")) switch
            {
                ({ } name, { } address) => $"{name} ({address})",
                ({ } name, null) => name,
                (null, { } address) => address,
                _ => null,
            };
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException or InvalidOperationException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "adjtimex")]
    private static unsafe partial int Adjtimex(byte* timex);
}
