using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Routerd.Core.Net;

namespace Routerd.Platform.Pppoe;

/// <summary>Runs the discovery probe on a named port and says what it means for the WAN mode.</summary>
public static class WanDetector
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    /// <exception cref="ArgumentException">no such port, or it has no MAC (not Ethernet).</exception>
    /// <exception cref="IOException">the port is down, or the raw socket could not be used.</exception>
    public static WanDetection Detect(INetworkObserver network, string device, TimeSpan timeout, string? serviceName = null)
    {
        var link = network.Links().FirstOrDefault(l => l.Name == device)
            ?? throw new ArgumentException($"there is no interface '{device}'");
        if (link.Mac is not { } mac) throw new ArgumentException($"'{device}' has no Ethernet address");
        if (!link.AdminUp) throw new IOException($"'{device}' is down: bring it up first");
        var result = PppoeProbe.Run(link.Index, mac, device, timeout, serviceName);
        bool found = result.Offers.Count > 0;
        return new WanDetection(device, found ? WanModes.Pppoe : WanModes.Dhcp, found ? null : WanCodes.NoServer,
            result.Offers, Math.Round(result.WaitedMs, 1), result.FirstAnswerMs is { } f ? Math.Round(f, 1) : null);
    }
}
