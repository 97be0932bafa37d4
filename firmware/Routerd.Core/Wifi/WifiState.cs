namespace Routerd.Core.Wifi;

/// <summary>The access point as the loop knows it, immutable: the settings last given to hostapd,
/// the status <see cref="WifiStatusRules"/> decided from the adapter's reports, hostapd's latest
/// error line, and the hostapd process the status was checked against.</summary>
public sealed record WifiState(HostapdConfig? Config, WifiStatus Status, string? LastError, int? CheckedPid)
{
    public static readonly WifiState NoRadio = new(null, WifiStatus.NoRadio, null, null);

    /// <summary>What the API shows.</summary>
    public WifiStatus Shown => WifiStatusRules.Shown(Status, LastError);

    /// <summary>The state after <paramref name="report"/>. An answer about settings other than the
    /// ones last applied is stale (a newer apply came in meanwhile) and changes nothing.</summary>
    public WifiState Next(WifiReport report) => report switch
    {
        WifiApplied a => this with
        {
            Config = a.Config,
            Status = WifiStatusRules.Applied(a.Config),
            LastError = a.Restarted ? null : LastError,
        },
        WifiAnswered r when ReferenceEquals(r.Config, Config) => WifiStatusRules.Reported(r.Fields, r.EscapedSsid, r.EscapedGuestSsid) is var s
            ? this with { Status = s, CheckedPid = r.Pid, LastError = s.Live ? null : LastError }
            : this,
        WifiAnswered => this,
        WifiUnreachable u => this with { Status = WifiStatusRules.Unreachable(Status, Config is { Enabled: true }, u.Pid, CheckedPid, LastError) },
        WifiErrorLine e => this with { LastError = e.Line },
        _ => this,
    };
}
