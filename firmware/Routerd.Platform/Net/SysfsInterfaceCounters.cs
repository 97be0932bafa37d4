using System.Globalization;
using Routerd.Core.Settings;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Qos;

namespace Routerd.Platform.Net;

/// <summary>Interface byte counters from /sys/class/net/&lt;name&gt;/statistics (the namespace's
/// own sysfs when routerd runs in one). 64-bit counters: they do not wrap in practice.</summary>
public sealed class SysfsInterfaceCounters(string root = "/sys/class/net") : IInterfaceCounters
{
    public (long Rx, long Tx)? Read(string interfaceName)
    {
        // The name becomes part of a path: only a real interface name may.
        if (!TextRules.IsInterfaceName(interfaceName)) return null;
        string dir = Path.Combine(root, interfaceName, "statistics");
        try
        {
            return (Counter(Path.Combine(dir, "rx_bytes")), Counter(Path.Combine(dir, "tx_bytes")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }

    static long Counter(string file) => long.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
}
