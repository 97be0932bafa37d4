using Microsoft.Extensions.Logging;
using Routerd.Core.Devices;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Loop;

/// <summary>The loop's timing of a burst of element changes (SetsTiming): one Debug line per flush
/// that names each phase (request to flush, store, sets made, applied, answered, GC), only when
/// Debug is on; at Information nothing is measured or written.</summary>
public class SetsTimingTests
{
    sealed class Lines(LogLevel min) : ILogger<Router>
    {
        public readonly List<string> Written = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= min;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) lock (Written) Written.Add($"{logLevel}: {formatter(state, exception)}");
        }
    }

    static readonly MacAddress Nas = MacAddress.Parse("02:00:00:00:02:01");

    static async Task<List<string>> AddForwardWith(LogLevel min)
    {
        var log = new Lines(min);
        var clock = new ManualClock();
        var registry = new DeviceRegistry(clock);
        using var router = TestRouter.New(new Board { WanDevice = "wan0", LanPorts = ["lan1"] }, registry: registry, clock: clock, log: log,
            network: new FakeNetwork("lo", "wan0", "lan1", "br-lan") { Macs = [default, MacAddress.Parse("02:aa:00:00:00:01"), MacAddress.Parse("02:aa:00:00:00:02")] });
        router.Start(p => p);
        registry.SetLeases([new DhcpLease(null, Nas, "192.168.1.50", "nas")]);
        var added = await router.EditForwardAsync(null, new PortForward { Protocol = "tcp", WanPort = 8443, LanPort = 443, Mac = Nas.ToString() });
        Assert.True(added.Result.Succeeded);
        // The line comes after the answers (it must not hold them up): one more trip through the loop
        // (a refresh of the sets, which stores nothing) makes sure the edit's flush has finished.
        router.RefreshVipAddresses();
        lock (log.Written) return log.Written.Where(l => l.Contains("sets flushed", StringComparison.Ordinal)).ToList();
    }

    [Fact]
    public async Task A_forward_edit_logs_its_phases_at_debug_level()
    {
        var lines = await AddForwardWith(LogLevel.Debug);
        var line = Assert.Single(lines, l => !l.Contains("stored in 0.00 ms", StringComparison.Ordinal));
        Assert.StartsWith("Debug: ", line);
        foreach (var phase in new[] { "from the request to the flush", "stored in", "made in", "applied in", "answered in", "GC ", "KiB" })
            Assert.Contains(phase, line);
    }

    [Fact]
    public async Task At_information_level_nothing_is_logged()
    {
        Assert.NotEmpty(await AddForwardWith(LogLevel.Debug)); // the same steps do log at Debug
        Assert.Empty(await AddForwardWith(LogLevel.Information));
    }
}
