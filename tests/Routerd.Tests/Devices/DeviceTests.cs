using System.Net;
using Routerd.Core.Devices;
using Routerd.Core.Net;
using Routerd.Tests.Loop;
using Xunit;
using Routerd.Core.Wan;

namespace Routerd.Tests.Devices;

public class DeviceTests
{
    [Fact]
    public void Lease_file_lines_are_parsed_and_junk_skipped()
    {
        var leases = DnsmasqLeases.Parse("""
            1764000000 02:00:00:00:01:01 192.168.1.100 phone 01:02:00:00:00:01:01
            0 02:00:00:00:01:02 192.168.1.101 * *
            garbage line
            1764000000 zz:00:00:00:01:02 192.168.1.102 x *
            duid 00:01:00:01:2c:aa:bb:cc:dd:ee:ff:00:11
            671767225600 02:00:00:00:01:03 192.168.1.103 past-year-9999 *
            """);
        Assert.Equal(2, leases.Count);
        Assert.Equal("phone", leases[0].Hostname);
        Assert.Null(leases[1].Hostname);
        Assert.Null(leases[1].Expires);
    }

    [Fact]
    public void Registry_merges_neighbours_and_leases_per_mac()
    {
        var clock = new ManualClock();
        var reg = new DeviceRegistry(clock);
        var phone = MacAddress.Parse("02:00:00:00:01:01");
        reg.SetLeases([new DhcpLease(null, phone, "192.168.1.100", "phone")]);
        clock.Advance(TimeSpan.FromMinutes(1));
        reg.Apply(new NeighbourInfo(5, IPAddress.Parse("192.168.1.100"), phone, NeighbourState.Reachable), deleted: false);
        reg.Apply(new NeighbourInfo(5, IPAddress.Parse("fe80::1"), phone, NeighbourState.Stale), deleted: false);
        reg.Apply(new NeighbourInfo(5, IPAddress.Parse("192.168.1.7"), null, NeighbourState.Incomplete), deleted: false);

        var d = Assert.Single(reg.Snapshot());
        Assert.Equal("02:00:00:00:01:01", d.Mac);
        Assert.Equal("phone", d.Hostname);
        Assert.Equal(["192.168.1.100", "fe80::1"], d.Addresses);
        Assert.True(d.Online);
        Assert.Equal(clock.Start, d.FirstSeen);
        Assert.Equal(clock.Start.AddMinutes(1), d.LastSeen);

        // The kernel's probes went unanswered: offline only once the quiet period has passed (Presence).
        reg.Apply(new NeighbourInfo(5, IPAddress.Parse("192.168.1.100"), phone, NeighbourState.Failed), deleted: false);
        Assert.True(reg.Snapshot()[0].Online);
        clock.Advance(reg.QuietPeriod);
        Assert.False(reg.Snapshot()[0].Online);
    }

    [Fact]
    public void Wan_lease_reports_are_parsed_strictly()
    {
        var lease = WanLeaseParser.Parse(new DhcpHookReport("bound", "wan0", "203.0.113.10", "255.255.255.0", "203.0.113.1", "203.0.113.53 bogus\nserver=1.1.1.1 198.51.100.53"))!;
        Assert.Equal("203.0.113.10/24", lease.Address.ToString());
        Assert.Equal(["203.0.113.53", "198.51.100.53"], lease.Dns);
        Assert.Null(WanLeaseParser.Parse(new DhcpHookReport("deconfig", "wan0", null, null, null, null)));
        Assert.Throws<FormatException>(() => WanLeaseParser.Parse(new DhcpHookReport("bound", "wan0", "203.0.113.10", "255.0.255.0", null, null)));
        Assert.Throws<FormatException>(() => WanLeaseParser.Parse(new DhcpHookReport("renew", "wan0", "203.0.113.10\n", "255.255.255.0", null, null)));
    }
}
