using Microsoft.Extensions.Hosting;
using Routerd.Core.Reconcile;

namespace Routerd;

/// <summary>Turns off priorities whose time is up ("for 1 hour"), once a second.</summary>
sealed class PriorityExpiry(Reconciler reconciler) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stop))
            reconciler.ExpirePriorities();
    }
}
