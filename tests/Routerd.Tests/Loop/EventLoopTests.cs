using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Devices;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wifi;
using Xunit;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Loop;

public class EventLoopTests
{
    [Fact]
    public void Events_are_handled_in_arrival_order_and_never_two_at_once()
    {
        const int Producers = 4, PerProducer = 2_500;
        var seen = new List<(int Producer, int N)>();
        int inside = 0, maxInside = 0, settles = 0;
        using var done = new CountdownEvent(Producers * PerProducer);
        using var loop = new EventLoop<Tuple<int, int>>("test loop", e =>
        {
            int now = Interlocked.Increment(ref inside);
            maxInside = Math.Max(maxInside, now);
            seen.Add((e.Item1, e.Item2));
            Thread.SpinWait(20);
            Interlocked.Decrement(ref inside);
            done.Signal();
        }, () => settles++, e => throw e);
        loop.Start();
        Parallel.For(0, Producers, p =>
        {
            for (int n = 0; n < PerProducer; n++) loop.Post(Tuple.Create(p, n));
        });
        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));

        Assert.Equal(1, maxInside);
        Assert.Equal(Producers * PerProducer, seen.Count);
        // Each producer's events come out in the order it posted them.
        for (int p = 0; p < Producers; p++)
            Assert.Equal(Enumerable.Range(0, PerProducer), seen.Where(s => s.Producer == p).Select(s => s.N));
        Assert.True(settles >= 1);
    }

    [Fact]
    public void A_single_sender_sees_its_events_handled_exactly_in_order()
    {
        var seen = new List<int>();
        using var all = new ManualResetEventSlim();
        using var loop = new EventLoop<object>("test loop", e =>
        {
            seen.Add((int)e);
            if ((int)e == 999) all.Set();
        }, () => { }, e => throw e);
        loop.Start();
        for (int i = 0; i < 1000; i++) loop.Post(i);
        Assert.True(all.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(Enumerable.Range(0, 1000), seen);
    }

    [Fact]
    public void A_failing_handler_does_not_stop_the_loop()
    {
        var seen = new List<int>();
        var faults = 0;
        using var last = new ManualResetEventSlim();
        using var loop = new EventLoop<object>("test loop", e =>
        {
            if ((int)e == 1) throw new InvalidOperationException("boom");
            seen.Add((int)e);
            if ((int)e == 2) last.Set();
        }, () => { }, _ => faults++);
        loop.Start();
        foreach (var i in new object[] { 0, 1, 2 }) loop.Post(i);
        Assert.True(last.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal([0, 2], seen);
        Assert.Equal(1, faults);
    }
}

/// <summary>An access point whose apply can be held (a hostapd restart that takes its time).</summary>
sealed class SlowWifi : IWifiAccessPoint
{
    public readonly ManualResetEventSlim Entered = new(), Release = new(true);
    public HostapdConfig? Applied;
    public WifiApplied? Apply(HostapdConfig? config)
    {
        Entered.Set();
        Release.Wait(TimeSpan.FromSeconds(30));
        Applied = config;
        return new WifiApplied(config, Restarted: true);
    }
    public void DisconnectStations() { }
}

public class RouterLoopTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], WifiDevice = "wlan0", RunDir = "/run/r" };
    readonly FakeFirewall firewall = new();
    readonly FakeTraffic traffic = new();
    readonly FakeDns dns = new();
    readonly SlowWifi wifi = new();
    readonly MemoryStore store = new();
    readonly ManualClock clock = new();
    readonly DeviceRegistry registry;
    readonly Router router;

    public RouterLoopTests()
    {
        registry = new DeviceRegistry(clock);
        router = TestRouter.New(Board, store, new FakeNetwork("lo", "wan0", "lan1", "br-lan", "wlan0"), firewall, traffic, dns, wifi: wifi,
            registry: registry, clock: clock, hooks: new HookTarget(["routerd"], "/s"));
        router.Start(p => p);
    }

    static MacAddress Mac(int i) => MacAddress.Parse($"02:00:00:00:{i / 256:x2}:{i % 256:x2}");

    /// <summary>Holds the loop in a hostapd apply, runs <paramref name="meanwhile"/>, then lets it go.</summary>
    Task HoldLoop(Action meanwhile)
    {
        wifi.Entered.Reset();
        wifi.Release.Reset();
        var change = Task.Run(() => router.TryChange(router.Settings with { Wifi = router.Settings.Wifi with { Ssid = "slow-" + Guid.NewGuid().ToString("n")[..8] } }));
        Assert.True(wifi.Entered.Wait(TimeSpan.FromSeconds(10)));
        meanwhile();
        wifi.Release.Set();
        return change;
    }

    [Fact]
    public async Task A_burst_of_a_thousand_events_settles_once_with_the_final_state()
    {
        const int Devices = 10;
        for (int i = 0; i < Devices; i++) Assert.True(router.AddDevice(Mac(i), null).Succeeded);
        int setLoads = firewall.SetLoads, rulesetLoads = firewall.Loads, saves = store.Saves;
        var tc = traffic.Plan;
        int dnsChanges = dns.Restarts + dns.Reloads;
        var before = new Dictionary<string, int>(router.Applies);

        var posted = new List<RouterEvent>();
        var expected = new bool[Devices];
        await HoldLoop(() =>
        {
            var random = new Random(16);
            for (int n = 0; n < 1000; n++)
            {
                int i = random.Next(Devices);
                RouterEvent e;
                if (n % 2 == 0)
                {
                    bool on = random.Next(2) == 0;
                    expected[i] = on;
                    e = new SetPriority(Mac(i), on, null);
                }
                else // a neighbour flaps: reachable, gone, reachable again
                    e = new NeighbourChanged(new NeighbourInfo(4, IPAddress.Parse($"192.168.1.{100 + i}"), Mac(i), NeighbourState.Reachable), deleted: n % 3 == 0);
                posted.Add(e);
                router.Post(e);
            }
        });
        await Task.WhenAll(posted.Select(e => e.Done)).WaitAsync(TimeSpan.FromSeconds(30));

        // The final state is the last word of each device.
        var vip = router.Settings.Devices.Where(d => d.Priority).Select(d => d.Mac).Order().ToList();
        Assert.Equal(Enumerable.Range(0, Devices).Where(i => expected[i]).Select(i => Mac(i).ToString()).Order(), vip);
        Assert.Equal(vip, store.Stored!.Devices.Where(d => d.Priority).Select(d => d.Mac).Order());
        foreach (var mac in vip) Assert.Contains(mac, firewall.Sets);
        // One set load, one store for the whole burst; nothing else applied.
        Assert.Equal(setLoads + 1, firewall.SetLoads);
        Assert.Equal(saves + 2, store.Saves); // the held Wi-Fi change, then the burst
        Assert.Equal(rulesetLoads, firewall.Loads);
        Assert.Same(tc, traffic.Plan);
        Assert.Equal(dnsChanges, dns.Restarts + dns.Reloads);
        Assert.Equal(before.GetValueOrDefault("firewall") + 1, router.Applies["firewall"]);
        Assert.Equal(before.GetValueOrDefault("wifi") + 1, router.Applies["wifi"]); // the held change
        foreach (var slice in new[] { "system", "network", "qos", "dnsmasq", "wan" })
            Assert.Equal(before.GetValueOrDefault(slice), router.Applies.GetValueOrDefault(slice));
    }

    [Fact]
    public async Task A_slow_applier_does_not_delay_an_api_read()
    {
        var slowest = TimeSpan.Zero;
        await HoldLoop(() =>
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < 100; i++)
            {
                var read = Stopwatch.StartNew();
                _ = router.Status("t", default);
                _ = router.Settings.Wifi.Ssid;
                _ = router.Pending;
                _ = router.KnowsDevice(Mac(1));
                if (read.Elapsed > slowest) slowest = read.Elapsed;
            }
            // The loop is still inside hostapd's apply: the reads above did not wait for it.
            Assert.False(wifi.Release.IsSet);
        });
        Assert.True(slowest < TimeSpan.FromMilliseconds(100), $"a read took {slowest.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_read_after_a_change_sees_the_change()
    {
        var result = await router.SetPriorityAsync(Mac(7), true, null);
        Assert.True(result.Succeeded);
        Assert.True(router.Settings.Devices.Single(d => d.Mac == Mac(7).ToString()).Priority);
        Assert.Contains(Mac(7).ToString(), firewall.Sets);
    }

    [Fact]
    public void A_priority_toggle_runs_no_applier_but_the_sets()
    {
        var before = new Dictionary<string, int>(router.Applies);
        Assert.True(router.SetPriority(Mac(3), true, null).Succeeded);
        foreach (var (slice, count) in router.Applies)
            Assert.Equal(before.GetValueOrDefault(slice) + (slice == "firewall" ? 1 : 0), count);
    }
}
