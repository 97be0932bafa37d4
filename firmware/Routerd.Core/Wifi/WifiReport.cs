namespace Routerd.Core.Wifi;

/// <summary>What the access point's adapter did or saw, sent to the loop as an event
/// (<see cref="Loop.WifiObserved"/>); the loop folds it into <see cref="WifiState"/>.</summary>
public abstract record WifiReport;

/// <summary>An apply that did something: <paramref name="Config"/> is what hostapd is given (null:
/// no radio); <paramref name="Restarted"/>: hostapd was (re)started, so its old error lines are gone.</summary>
public sealed record WifiApplied(HostapdConfig? Config, bool Restarted) : WifiReport;

/// <summary>hostapd answered STATUS about <paramref name="Config"/>, while it ran as <paramref name="Pid"/>.</summary>
public sealed record WifiAnswered(HostapdConfig Config, IReadOnlyDictionary<string, string> Fields, string EscapedSsid, int? Pid) : WifiReport
{
    /// <summary>The guest network's SSID in hostapd's escaping, when it is on (its BSS is ssid[1]).</summary>
    public string? EscapedGuestSsid { get; init; }
}

/// <summary>No control socket to talk to; <paramref name="Pid"/>: hostapd's process now (null: none).</summary>
public sealed record WifiUnreachable(int? Pid) : WifiReport;

/// <summary>A line of hostapd's output that reads as an error (<see cref="WifiStatusRules.ErrorLine"/>).</summary>
public sealed record WifiErrorLine(string Line) : WifiReport;
