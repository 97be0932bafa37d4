using Microsoft.Extensions.Hosting;

namespace Routerd;

/// <summary>Runs a small housekeeping step at a fixed interval for as long as routerd serves:
/// priorities whose time is up, unconfirmed LAN changes, listeners following the LAN address.</summary>
sealed class Periodic(TimeSpan interval, Action step) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stop))
            step();
    }
}
