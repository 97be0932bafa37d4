using Microsoft.Extensions.Hosting;
using Routerd.Core.Devices;
using Routerd.Platform.Net;

namespace Routerd;

/// <summary>Asks idle devices whether they are still there (Devices/Presence.cs): an idle,
/// plugged-in device gives no sign by itself. A timer, because "nothing happened for a while" has
/// no event; the answers come back as neighbour events through the loop.</summary>
sealed class PresenceProber(DeviceRegistry devices, NeighbourProbe probe) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Presence.ProbeInterval(devices.QuietPeriod));
        while (await timer.WaitForNextTickAsync(stop))
            foreach (var address in devices.ToProbe()) probe.Ask(address);
    }

    public override void Dispose()
    {
        probe.Dispose();
        base.Dispose();
    }
}
