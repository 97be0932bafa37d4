using System.Net;
using Routerd.Core.Devices;
using Routerd.Core.Diagnostics;
using Routerd.Core.FastPath;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Routerd.Tests.Loop;
using Routerd.Tests.Traffic;
using Xunit;

namespace Routerd.Tests.FastPath;

public class FastPathTests
{
    static readonly MacAddress Phone = MacAddress.Parse("02:00:00:00:01:01"), Laptop = MacAddress.Parse("02:00:00:00:01:02");

    /// <summary>Capability × shaper: the fast path is on only on a kernel that has a flowtable and
    /// with no line rate in either direction. That a VIP device's connection never enters it is a
    /// rule of the rendered ruleset (golden fast-path-flowtable: `flow add` only for the counted
    /// mark, which VIP devices' connections never get) and is tested there.</summary>
    [Theory]
    [InlineData(true, null, null, true)]
    [InlineData(true, 20_000L, null, false)]  // an upload rate: the shaper classifies in the forward chain
    [InlineData(true, null, 100_000L, false)] // a download rate alone is enough to keep it off
    [InlineData(true, 20_000L, 100_000L, false)]
    [InlineData(false, null, null, false)]    // no nf_flow_table (the host kernel)
    [InlineData(false, 20_000L, null, false)]
    public void The_fast_path_is_on_only_unshaped_on_a_capable_kernel(bool kernel, long? up, long? down, bool on) =>
        Assert.Equal(on, FastPathDecision.IsOn(kernel, new QosPlan(up, down, [])));

    static DesiredState State(string fastPath, RouterSettings? settings = null)
    {
        var board = new Board { WanDevice = "eth0", LanPorts = ["eth1", "eth2"], FastPath = fastPath };
        return DesiredStateBuilder.Build(settings ?? Defaults(), board, new SystemFacts(null, DateTimeOffset.UnixEpoch));
    }

    static RouterSettings Defaults() => FirstBoot.Settings(new Board { WanDevice = "eth0", LanPorts = ["eth1", "eth2"] }, _ => "hash");

    [Theory]
    [InlineData(FastPaths.Flowtable, true)]
    [InlineData(FastPaths.Off, false)]
    [InlineData(FastPaths.Auto, false)] // not yet asked: `routerd serve` resolves it before anything renders
    public void Only_a_board_resolved_to_flowtable_renders_one(string fastPath, bool on)
    {
        var state = State(fastPath);
        Assert.Equal(on, FastPathDecision.IsOn(state));
        Assert.Equal(on, NftRenderer.Render(state).Contains("flowtable fastpath {"));
    }

    [Fact]
    public void The_flowtable_hooks_the_wan_port_and_the_lan_ports_never_the_bridge()
    {
        var state = State(FastPaths.Flowtable);
        Assert.Equal(["eth0", "eth1", "eth2"], FastPathDecision.Devices(state));
        Assert.DoesNotContain(state.Lan.Bridge, FastPathDecision.Devices(state));
    }

    static Routerd.Core.Wifi.WifiPlan Radio(string? device, bool enabled) =>
        new(device, enabled, "home", Routerd.Core.Wifi.WifiSecurity.Wpa2, "passphrase", "DE", Routerd.Core.Wifi.WifiBand.Ghz24, 6, false);

    /// <summary>Offloaded downloads skip the rule that clears the internet's DSCP, which keeps
    /// everyone but the VIP lane out of the radio's video and voice categories.</summary>
    [Fact]
    public void A_serving_access_point_keeps_the_fast_path_off()
    {
        var state = State(FastPaths.Flowtable);
        Assert.False(FastPathDecision.IsOn(state with { Wifi = Radio("wlan0", true) }));
        string serving = NftRenderer.Render(state with { Wifi = Radio("wlan0", true) });
        Assert.DoesNotContain("flow add @fastpath", serving);
        Assert.Contains("flowtable fastpath {", serving); // declared, unused: FastPathDecision.FlowtableDevices says why
        Assert.True(FastPathDecision.IsOn(state with { Wifi = Radio("wlan0", false) })); // switched off
        Assert.True(FastPathDecision.IsOn(state with { Wifi = Radio(null, true) }));     // no radio on this board
    }

    /// <summary>Switching the shaper or the radio never puts the flowtable in or takes it out on its
    /// own: a flowtable added or deleted alone under load hung the lab VM's kernel
    /// (FastPathDecision.FlowtableDevices), one replaced in the same transaction did not.</summary>
    [Fact]
    public void The_flowtable_stays_declared_whatever_the_shaper_and_the_radio()
    {
        var state = State(FastPaths.Flowtable);
        foreach (var (variant, offloads) in new[]
        {
            (state, true),
            (state with { Qos = new QosPlan(20_000, null, []) }, false),
            (state with { Qos = new QosPlan(null, 100_000, []) }, false),
            (state with { Wifi = Radio("wlan0", true) }, false),
        })
        {
            string nft = NftRenderer.Render(variant);
            Assert.Contains("flowtable fastpath {", nft);
            Assert.Equal(offloads, nft.Contains("flow add @fastpath", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_missing_lan_port_is_left_out_and_without_the_wan_port_there_is_no_flowtable()
    {
        // The kernel refuses a flowtable naming a missing device, and the whole ruleset with it.
        var state = State(FastPaths.Flowtable);
        Assert.Equal(["eth0", "eth2"], FastPathDecision.Devices(state, new HashSet<string> { "lo", "eth0", "eth2", "br-lan" }));
        Assert.Contains("devices = { \"eth0\", \"eth2\" }", NftRenderer.Render(state, new HashSet<string> { "eth0", "eth2" }));
        Assert.Null(FastPathDecision.Devices(state, new HashSet<string> { "eth1", "eth2" })); // the USB WAN adapter unplugged
        string without = NftRenderer.Render(state, new HashSet<string> { "eth1", "eth2" });
        Assert.DoesNotContain("flowtable fastpath", without);
        Assert.DoesNotContain("flow add", without); // nor the rules that offload to it
        Assert.False(Renderer.RenderAll(state, null, new HookTarget(["routerd"], "/s"), Routerd.Core.Qos.LeafQdisc.Fifo, null, new HashSet<string> { "eth1" }).FastPath);
        Assert.True(Renderer.RenderAll(state, null, new HookTarget(["routerd"], "/s"), Routerd.Core.Qos.LeafQdisc.Fifo, null, new HashSet<string> { "eth0" }).FastPath);
    }

    [Fact]
    public void Connections_are_evicted_only_when_a_device_joins_the_lane_or_the_paused_with_the_fast_path_on()
    {
        Assert.True(FastPathDecision.MustEvict(true, [], [Phone]));
        Assert.True(FastPathDecision.MustEvict(true, [Phone], [Phone, Laptop]));
        Assert.False(FastPathDecision.MustEvict(true, [Phone, Laptop], [Phone])); // leaving needs nothing: its connections stay out until they end
        Assert.False(FastPathDecision.MustEvict(true, [Phone], [Phone]));
        Assert.False(FastPathDecision.MustEvict(false, [], [Phone])); // nothing is offloaded
    }

    [Fact]
    public void A_priority_toggle_with_the_fast_path_on_reloads_the_table_after_the_meter_sampled()
    {
        var firewall = new FakeFirewall();
        var calls = new List<string>();
        firewall.Applying = () => calls.Add("apply");
        var board = new Board { WanDevice = "wan0", LanPorts = ["lan1"], FastPath = FastPaths.Flowtable };
        using var router = TestRouter.New(board, firewall: firewall, beforeReload: () => calls.Add("sample"));
        router.Start(p => p);
        Assert.Equal(["sample", "apply"], calls); // the meter samples before every reload (it empties the counter sets)
        Assert.Contains("flowtable fastpath", firewall.Loaded);

        calls.Clear();
        Assert.True(router.SetPriority(Phone, true, null).Succeeded);
        Assert.Equal(1, firewall.Reloads);
        Assert.Equal(["sample", "apply"], calls);

        calls.Clear();
        Assert.True(router.SetPriority(Phone, false, null).Succeeded); // leaving the lane: the sets alone
        Assert.Equal(1, firewall.Reloads);
        Assert.Equal(["apply"], calls);

        // Line rates: the fast path goes (its flowtable stays declared, nothing offloads to it),
        // and the meter samples before the reload.
        calls.Clear();
        Assert.True(router.TryChange(router.Settings with { Qos = router.Settings.Qos with { UploadKbit = 20_000 } }).Succeeded);
        Assert.DoesNotContain("flow add @fastpath", firewall.Loaded);
        Assert.Contains("flowtable fastpath {", firewall.Loaded);
        Assert.Equal(["sample", "apply"], calls);
    }

    [Fact]
    public void Without_the_fast_path_a_priority_toggle_changes_only_the_sets()
    {
        var firewall = new FakeFirewall();
        using var router = TestRouter.New(new Board { WanDevice = "wan0", LanPorts = ["lan1"], FastPath = FastPaths.Off }, firewall: firewall);
        router.Start(p => p);
        Assert.True(router.SetPriority(Phone, true, null).Succeeded);
        Assert.Equal(0, firewall.Reloads);
        Assert.DoesNotContain("flowtable", firewall.Loaded);
    }

    sealed class FakeConntrack : IConntrackReader
    {
        public List<ConntrackEntry> Entries = [];
        public IReadOnlyList<ConntrackEntry> Dump(Func<ConntrackEntry, bool> keep) => Entries.Where(keep).ToList();
    }

    static ConntrackEntry Connection(uint id, string from, uint mark, ulong up, ulong down) =>
        new(6, new ConntrackTuple(IPAddress.Parse(from), IPAddress.Parse("198.51.100.1"), 40000, 443),
            new ConntrackTuple(IPAddress.Parse("198.51.100.1"), IPAddress.Parse("203.0.113.77"), 443, 40000), 0, 3, 100)
        {
            Id = id, Mark = mark, OriginalBytes = up, OriginalPackets = up / 100, ReplyBytes = down, ReplyPackets = down / 100,
        };

    [Fact]
    public void The_meter_credits_conntrack_counted_connections_once_across_samples_and_reloads()
    {
        var clock = new ManualClock();
        var registry = new DeviceRegistry(clock);
        registry.SetLeases([new DhcpLease(null, Phone, "192.168.1.100", "phone")]);
        var sets = new TrafficTests.FakeSets();
        var conntrack = new FakeConntrack();
        var meter = new TrafficMeter(sets, registry, clock) { Conntrack = conntrack };
        const string PhoneMac = "02:00:00:00:01:01";

        // A VIP connection (mark 1) is the sets' to count; the counted one (mark 2, with the lane's
        // bit or not) is conntrack's, both directions, credited to the opener's address.
        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(PhoneMac, 1, 100));
        conntrack.Entries = [Connection(7, "192.168.1.100", 2, 1000, 50_000), Connection(8, "192.168.1.100", 1, 999, 999), Connection(9, "192.168.1.100", 3, 10, 20)];
        meter.Sample();
        Assert.Equal(new DeviceTraffic(1110, 11, 50_020, 500, 0, 0), meter.Of(PhoneMac));

        // It grows (offloaded or not): only the growth is added; a connection that ended drops out.
        clock.Advance(TimeSpan.FromSeconds(2));
        conntrack.Entries = [Connection(7, "192.168.1.100", 2, 3000, 150_000)];
        meter.Sample();
        Assert.Equal(new DeviceTraffic(3110, 31, 150_020, 1500, 8000, 400_000), meter.Of(PhoneMac));

        // A reload (the shaper comes on, say): the sample before it takes what the sets counted,
        // which the reload empties; conntrack's connection goes on from where it was.
        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(PhoneMac, 2, 160));
        conntrack.Entries = [Connection(7, "192.168.1.100", 2, 4000, 160_000)];
        meter.BeforeReload();
        Assert.Equal(4170, meter.Of(PhoneMac)!.UploadBytes);
        clock.Advance(TimeSpan.FromSeconds(2));
        conntrack.Entries = [Connection(7, "192.168.1.100", 2, 9000, 200_000)];
        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(PhoneMac, 1, 50)); // the reload emptied the set; 50 since
        meter.Sample();
        Assert.Equal(9220, meter.Of(PhoneMac)!.UploadBytes);
        Assert.Equal(4, TrafficMeter.SampleEvery.TotalSeconds);
    }
}
