using Routerd.Core.Devices;
using Routerd.Core.Net;
using Routerd.Tests.Loop;
using Xunit;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;

namespace Routerd.Tests.Traffic;

public class TrafficTests
{
    [Fact]
    public void Nft_set_json_yields_each_counted_element_and_skips_the_rest()
    {
        // As printed by nft 1.0.6 for a dynamic set with counters (one element mangled by hand).
        var counters = NftSetJson.Parse("""
            {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
             {"set": {"family": "inet", "name": "traffic_down_v6", "table": "routerd", "type": "ipv6_addr", "flags": ["timeout"],
              "elem": [{"elem": {"val": "2001:db8::7", "expires": 3599, "counter": {"packets": 2, "bytes": 208}}},
                       {"elem": {"val": "2001:db8::8", "expires": 3599}},
                       {"elem": {"val": 5, "counter": {"packets": 1, "bytes": 72}}},
                       "2001:db8::9",
                       {"elem": {"val": "2001:db8::a", "counter": {"packets": 1, "bytes": 9999999999}}}],
              "stmt": [{"counter": null}]}}]}
            """);
        Assert.Equal([new SetCounter("2001:db8::7", 2, 208), new SetCounter("2001:db8::a", 1, 9_999_999_999)], counters);
        Assert.Empty(NftSetJson.Parse("""{"nftables": [{"set": {"name": "traffic_up"}}]}"""));
        Assert.Empty(NftSetJson.Parse("""{"other": 1}"""));
    }

    [Fact]
    public void Tc_class_text_yields_each_htb_class()
    {
        // `tc -s class show` from iproute2 6.1 (the second class's figures edited to cover units).
        var classes = TcClassText.Parse("""
            class htb 1:10 parent 1:1 leaf 10: prio 0 rate 50Mbit ceil 100Mbit burst 12500b cburst 12500b 
             Sent 1234567 bytes 2345 pkt (dropped 3, overlimits 45 requeues 0) 
             backlog 0b 0p requeues 0
             lended: 0 borrowed: 0 giants: 0
             tokens: 4000 ctokens: 2000

            class htb 1:1 root rate 100Mbit ceil 100Mbit burst 12500b cburst 12500b 
             Sent 99 bytes 1 pkt (dropped 0, overlimits 0 requeues 0) 
             backlog 0b 0p requeues 0

            class htb 1:20 parent 1:1 leaf 20: prio 1 rate 50Mbit ceil 100Mbit burst 12500b cburst 12500b 
             Sent 987654321 bytes 654321 pkt (dropped 812, overlimits 9000 requeues 0) 
             backlog 15Kb 10p requeues 0
            """);
        Assert.Equal(3, classes.Count);
        Assert.Equal(new QueueClassStats("1:10", 1_234_567, 2345, 3, 45, 0, 0), classes[0]);
        Assert.Equal("1:1", classes[1].ClassId);
        Assert.Equal(new QueueClassStats("1:20", 987_654_321, 654_321, 812, 9000, 15 * 1024, 10), classes[2]);
        Assert.Empty(TcClassText.Parse("qdisc noqueue 0: root refcnt 2\n"));
    }

    internal sealed class FakeSets : ISetCounterReader
    {
        public readonly Dictionary<string, List<SetCounter>> Sets = [];
        public IReadOnlyList<SetCounter> ReadSetCounters(string set) => Sets.TryGetValue(set, out var l) ? l : [];
        public void Set(string set, params SetCounter[] counters) => Sets[set] = [.. counters];
    }

    static readonly MacAddress Phone = MacAddress.Parse("02:00:00:00:01:01");
    const string PhoneMac = "02:00:00:00:01:01";

    [Fact]
    public void Meter_credits_upload_by_mac_and_download_by_the_address_holder_across_renumbering_and_resets()
    {
        var clock = new ManualClock();
        var registry = new DeviceRegistry(clock);
        registry.SetLeases([new DhcpLease(null, Phone, "192.168.1.100", "phone")]);
        var sets = new FakeSets();
        var meter = new TrafficMeter(sets, registry, clock);

        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(PhoneMac, 10, 1000), new SetCounter("02:00:00:00:09:09", 5, 500));
        sets.Set(NftRenderer.TrafficDownV4Set, new SetCounter("192.168.1.100", 20, 20_000), new SetCounter("192.168.1.200", 1, 60));
        meter.Sample();
        Assert.Equal(new DeviceTraffic(1000, 10, 20_000, 20, 0, 0), meter.Of(PhoneMac)); // no rate from the first look
        Assert.Null(meter.Of("02:00:00:00:01:02"));

        // 2 s later: 1,000 more bytes up, 4,000 more down.
        clock.Advance(TimeSpan.FromSeconds(2));
        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(PhoneMac, 20, 2000));
        sets.Set(NftRenderer.TrafficDownV4Set, new SetCounter("192.168.1.100", 24, 24_000));
        meter.Sample();
        Assert.Equal(new DeviceTraffic(2000, 20, 24_000, 24, 4000, 16_000), meter.Of(PhoneMac));

        // The phone is renumbered and the ruleset reloaded (the sets start over): the new
        // address's bytes are the phone's, and nothing counted before is lost.
        registry.SetLeases([new DhcpLease(null, Phone, "192.168.1.101", "phone")]);
        clock.Advance(TimeSpan.FromSeconds(2));
        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(PhoneMac, 1, 100));
        sets.Set(NftRenderer.TrafficDownV4Set, new SetCounter("192.168.1.101", 2, 3000));
        sets.Set(NftRenderer.TrafficDownV6Set, new SetCounter("2001:db8::1", 1, 1000)); // nobody's
        meter.Sample();
        Assert.Equal(new DeviceTraffic(2100, 21, 27_000, 26, 400, 12_000), meter.Of(PhoneMac));

        // Nothing new: the totals stay, the rates fall to zero.
        clock.Advance(TimeSpan.FromSeconds(2));
        meter.Refresh();
        Assert.Equal(new DeviceTraffic(2100, 21, 27_000, 26, 0, 0), meter.Of(PhoneMac));
    }

    [Fact]
    public void Meter_samples_at_most_once_per_interval_on_refresh()
    {
        var clock = new ManualClock();
        var sets = new FakeSets();
        var meter = new TrafficMeter(sets, new DeviceRegistry(clock), clock);
        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(PhoneMac, 1, 100));
        meter.Refresh();
        sets.Set(NftRenderer.TrafficUpSet, new SetCounter(PhoneMac, 2, 200));
        meter.Refresh(); // too soon: the answer is the previous sample
        Assert.Equal(100, meter.Of(PhoneMac)!.UploadBytes);
        clock.Advance(TrafficMeter.FreshEnough);
        meter.Refresh();
        Assert.Equal(200, meter.Of(PhoneMac)!.UploadBytes);
    }
}
