using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Routerd.Core.Loop;
using Routerd.Core.VirtualServers;

namespace Routerd;

/// <summary>Health checks of the virtual servers' backends: a TCP connect to each, every interval
/// (the board's HealthCheckSeconds), all at once. A timer, because a backend that dies says nothing;
/// the verdicts go to the loop as one event, and the loop decides who is in the pool. A backend
/// that dies is found at the next round, so it leaves within two intervals; one that answers again
/// is back after the round that sees it.</summary>
/// <para>After each round it also counts the connections each backend holds, where a weighted
/// least-connections server is balanced by nftables (the loop shares its slots out by them).</para>
sealed class BackendProber(Router router, TimeSpan interval, IBackendConnections? connections = null) : BackgroundService
{
    /// <summary>A connect that takes longer than this counts as no answer: well inside the
    /// interval, so one round ends before the next begins.</summary>
    TimeSpan Timeout => TimeSpan.FromMilliseconds(Math.Min(2000, interval.TotalMilliseconds / 2));

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stop))
        {
            var targets = router.ProbeTargets();
            if (targets.Count > 0)
            {
                var answers = await Task.WhenAll(targets.Select(t => Answers(t.Address, t.Port, stop)));
                router.Post(new BackendsProbed(targets.Select((t, i) => (t.Server, t.Backend, answers[i])).ToList()));
            }
            if (connections is not null && router.BalancesByConnections()) Count(connections);
        }
    }

    void Count(IBackendConnections reader)
    {
        try { router.Post(new BackendsCounted(reader.Active(router.VirtualServers()))); }
        // A failed count leaves the shares as they were until the next round.
        catch (Exception e) when (e is IOException or TimeoutException or InvalidDataException) { }
    }

    async Task<bool> Answers(IPAddress address, int port, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
        limit.CancelAfter(Timeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), limit.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !stop.IsCancellationRequested)
        {
            return false;
        }
    }
}
