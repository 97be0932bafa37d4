using Microsoft.Extensions.Logging;
using Routerd.Core.Wifi;

namespace Routerd.Core.Loop;

/// <summary>The access point's status: the hostapd adapter reports what it did (from the wifi
/// step's apply, synchronously) and what it saw (<see cref="WifiObserved"/>, from its monitor),
/// and <see cref="WifiState"/> decides. An apply's report is folded before any report about the
/// new settings can be handled: those are queued behind the event whose apply made them.</summary>
public sealed partial class Router
{
    /// <summary>Owned by the loop's thread.</summary>
    WifiState wifi = WifiState.NoRadio;

    object? OnWifi(WifiReport report)
    {
        bool wasLive = wifi.Status.Live;
        wifi = wifi.Next(report);
        if (wifi.Status.Live && !wasLive && wifi.Config is { } c) LogWifiLive(log, c.Interface);
        return null;
    }

    /// <summary>hostapd makes the guest network's interface each time it starts (and removes it when
    /// it stops): the network plan's guest address goes onto it as soon as it appears, and so does
    /// the redirect of its egress into the shared download tree (Qos/TcRenderer.cs). The plans are
    /// unchanged, so both steps are run again explicitly; each applier adds only what is missing.</summary>
    object? OnGuestLink(CarrierChanged link)
    {
        if (applied is { } config)
        {
            failures.Clear();
            Step("network", unchanged: false, () =>
            {
                foreach (var c in appliers.Network.Apply(config.Network)) LogCommand(log, c);
            });
            Step("qos", unchanged: false, () => appliers.Traffic.Apply(config.Tc));
            if (failures.Count > 0) LogApplyFailed(log, failures[0].Code, failures[0].Message);
            failures.Clear();
        }
        return OnWan(link);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wi-Fi on {Interface} is live with the new settings")]
    static partial void LogWifiLive(ILogger log, string @interface);
}
