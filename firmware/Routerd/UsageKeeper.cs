using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routerd.Core.Usage;
using Routerd.Platform.Store;

namespace Routerd;

/// <summary>Keeps the usage history across restarts: reads it back at start, writes it once an hour
/// when anything was added (a timer: the history grows with every traffic sample, and writing at
/// that pace would wear the SD card) and when routerd stops, so a reboot or an upgrade loses nothing
/// and a power cut at most the last hour.</summary>
sealed partial class UsageKeeper(UsageHistory history, string path, TimeProvider clock, ILogger log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    long written;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var records = UsageFile.Read(path, out var problem);
        if (problem is not null) LogUnreadable(log, problem);
        history.Import(records, clock.GetUtcNow());
        written = history.Changes;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) Save();
        }
        catch (OperationCanceledException) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Save();
    }

    void Save()
    {
        long changes = history.Changes;
        if (changes == written) return;
        var now = clock.GetUtcNow();
        history.Prune(now);
        try
        {
            UsageFile.Write(path, history.Export(now));
            written = changes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(log, path, e.Message); // kept in memory; the next hour tries again
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the usage history was not read back ({Problem}); it starts empty")]
    static partial void LogUnreadable(ILogger log, string problem);
    [LoggerMessage(Level = LogLevel.Warning, Message = "the usage history could not be written to {Path}: {Reason}")]
    static partial void LogWriteFailed(ILogger log, string path, string reason);
}
