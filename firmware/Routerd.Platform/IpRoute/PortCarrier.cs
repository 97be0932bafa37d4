using System.ComponentModel;
using Microsoft.Extensions.Logging;
using Routerd.Core.Loop;
using Routerd.Platform.Processes;

namespace Routerd.Platform.IpRoute;

/// <summary>Resets the LAN ports' carrier with `ip link set dev PORT down|up`: a port taken down
/// switches its PHY off (a veth's peer loses its carrier too), so the device at the other end of
/// the cable sees its link go and come back. Up again on a timer, not on the loop's thread. Should
/// routerd stop in between, its next start's apply brings the ports up (they are in the plan).</summary>
public sealed partial class PortCarrier(string ip, ILogger log) : IPortCarrier
{
    public void Bounce(IReadOnlyList<string> ports, TimeSpan down)
    {
        if (ports.Count == 0) return;
        Set(ports, "down");
        LogDown(log, string.Join(", ", ports), down.TotalSeconds);
        _ = Task.Delay(down).ContinueWith(_ => Set(ports, "up"), TaskScheduler.Default);
    }

    void Set(IReadOnlyList<string> ports, string state)
    {
        // One port at a time, each with its own argument list: a missing one (an unplugged USB
        // adapter) fails alone.
        foreach (var port in ports)
        {
            try
            {
                var r = ProcessRunner.Run(ip, ["link", "set", "dev", port, state]);
                if (!r.Succeeded) LogFailed(log, port, state, r.StandardError.Trim());
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or Win32Exception)
            {
                LogFailed(log, port, state, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "LAN ports {Ports} down for {Seconds} s: their devices ask for new addresses when the link returns")]
    static partial void LogDown(ILogger log, string ports, double seconds);
    [LoggerMessage(Level = LogLevel.Warning, Message = "could not set {Port} {State}: {Error}")]
    static partial void LogFailed(ILogger log, string port, string state, string error);
}
