using System.Text.RegularExpressions;

namespace Routerd.Core.Wifi;

/// <summary>The Wi-Fi status decisions, pure: the hostapd adapter reports what it did and saw
/// (an apply, hostapd's STATUS answer, no control socket, an output line) and takes the status
/// these rules give. wifi/UP only when hostapd's STATUS shows ENABLED with exactly the SSID just
/// written (in hostapd's escaping), so UP means the new settings are live; FAILED only when the
/// process is gone, with hostapd's own error line.</summary>
public static partial class WifiStatusRules
{
    /// <summary>Right after an apply: no radio, switched off, or applying until STATUS confirms it.</summary>
    public static WifiStatus Applied(HostapdConfig? config) =>
        config is null ? WifiStatus.NoRadio : !config.Enabled ? new WifiStatus(WifiStatus.Off, true, false) : Applying();

    static WifiStatus Applying(string? message = null) => new(WifiStatus.Applying, true, false, message);

    /// <summary>hostapd answered STATUS: <paramref name="escapedSsid"/> is the written SSID in hostapd's escaping,
    /// <paramref name="escapedGuestSsid"/> the guest network's when it is on (the second BSS, ssid[1]): UP only
    /// when both run.</summary>
    public static WifiStatus Reported(IReadOnlyDictionary<string, string> fields, string escapedSsid, string? escapedGuestSsid = null) =>
        fields.GetValueOrDefault("state") == "ENABLED" && fields.GetValueOrDefault("ssid[0]") == escapedSsid
            && (escapedGuestSsid is null || fields.GetValueOrDefault("ssid[1]") == escapedGuestSsid)
            ? new WifiStatus(WifiStatus.Up, true, true)
            : Applying(fields.GetValueOrDefault("state") is { } s ? $"hostapd state {s}" : null);

    /// <summary>No control socket to talk to: hostapd is starting, or down and being restarted. A
    /// slow answer (a busy CPU) is not a failure: only a hostapd that is gone is. A restarted one
    /// (another pid than the one last checked) is not verified yet.</summary>
    public static WifiStatus Unreachable(WifiStatus current, bool enabled, int? pid, int? checkedPid, string? lastError)
    {
        if (pid is null && enabled) return new WifiStatus(WifiStatus.Failed, true, false, lastError ?? "hostapd is not running; restarting it");
        if (current.Live && pid != checkedPid) return Applying();
        return current;
    }

    /// <summary>What the API shows: a failure with hostapd's latest error line, also one printed after the failure was noticed.</summary>
    public static WifiStatus Shown(WifiStatus status, string? lastError) =>
        status.Code == WifiStatus.Failed && lastError is { } e ? status with { Message = e } : status;

    /// <summary>A line of hostapd's output worth showing as the reason it failed (trimmed to 300 characters); null otherwise.</summary>
    public static string? ErrorLine(string line) => ErrorPattern().IsMatch(line) ? (line.Length > 300 ? line[..300] : line) : null;

    [GeneratedRegex(@"fail|could not|invalid|error|not allowed|unknown|^Line \d+", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorPattern();
}
