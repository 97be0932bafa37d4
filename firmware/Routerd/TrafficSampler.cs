using Microsoft.Extensions.Hosting;
using Routerd.Core.Devices;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd;

/// <summary>Samples the devices' traffic counters now and then even when nobody reads the API,
/// so download bytes are credited to the device that held the address at the time (and a
/// counter that expires or restarts loses little). A timer, because no event exists for this:
/// counters grow with every packet and nothing announces it.</summary>
sealed class TrafficSampler(TrafficMeter meter) : BackgroundService
{
    /// <summary>The first sample waits one interval: at start the counters hold nothing yet, and
    /// reading the three counter sets would compete with routerd's own start. A read of the API
    /// samples on demand meanwhile.</summary>
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TrafficMeter.SampleEvery);
        while (await timer.WaitForNextTickAsync(stop))
            meter.Refresh();
    }
}
