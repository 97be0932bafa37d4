using System.Text.Json;
using Routerd.Core.Loop;
using Routerd.Platform.Processes;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Platform.Dhcp;

/// <summary>The last WAN DHCP report as JSON in the run directory: a tmpfs, so it lives exactly
/// as long as the kernel's addresses do, and a reboot starts clean.</summary>
public sealed class WanLeaseFile(string runDir) : IWanLeaseMemory
{
    string FilePath => Path.Combine(runDir, "wan-lease.json");

    public DhcpHookReport? Load()
    {
        try
        {
            return File.Exists(FilePath) ? JsonSerializer.Deserialize(File.ReadAllText(FilePath), RouterJsonContext.Default.DhcpHookReport) : null;
        }
        catch (JsonException) { return null; } // unreadable: the DHCP client will report again
    }

    public void Save(DhcpHookReport? report)
    {
        if (report is null) File.Delete(FilePath);
        else AtomicFile.Write(FilePath, JsonSerializer.Serialize(report, RouterJsonContext.Default.DhcpHookReport));
    }
}
