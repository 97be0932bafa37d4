using System.Net;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.VirtualServers;
using Routerd.Platform.Net;
using Xunit;

namespace Routerd.Tests.VirtualServers;

/// <summary>Virtual servers' rules (every refusal names its field), the slot spread, and the
/// connection count on the nftables path.</summary>
public class VirtualServerRulesTests
{
    static readonly LanPlan Lan = new("br-lan", ["lan1"], Ipv4Network.Parse("192.168.1.1/24"), null, []);
    static VirtualServerBackend Backend(string mac, int port = 80, int weight = 1) => new() { Mac = mac, Port = port, Weight = weight };
    static VirtualServer Server(int id, int port, params VirtualServerBackend[] backends) => new() { Id = id, WanPort = port, Backends = backends };

    static (IReadOnlyList<VirtualServerPlan>? Plans, List<FieldError> Errors) Build(IReadOnlyList<VirtualServer> servers, IReadOnlyList<ForwardPlan>? forwards = null, IReadOnlySet<MacAddress>? own = null)
    {
        var errors = new List<FieldError>();
        return (VirtualServerRules.Build(servers, Lan, forwards ?? [], own, errors), errors);
    }

    [Fact]
    public void Each_wrong_field_is_named()
    {
        var (plans, errors) = Build([new VirtualServer { Id = 1, Protocol = "both", WanPort = 0, Scheduler = "lc", Description = "a\nb",
            Backends = [Backend("ff:ff:ff:ff:ff:ff"), Backend("02:aa:00:00:00:01"), new() { Address = "192.168.1.255", Port = 80 }, new() { Port = 80 }] }],
            own: new HashSet<MacAddress> { MacAddress.Parse("02:aa:00:00:00:01") });
        Assert.Null(plans);
        Assert.Equal(["virtualServers[0].protocol", "virtualServers[0].wanPort", "virtualServers[0].scheduler", "virtualServers[0].backends[0].mac",
            "virtualServers[0].backends[1].mac", "virtualServers[0].backends[2].address", "virtualServers[0].backends[3]", "virtualServers[0].description"],
            errors.Select(e => e.Field));
        Assert.Contains("router itself", errors[4].Message);
    }

    [Fact]
    public void Sixteen_backends_at_most_none_twice_and_one_port_per_protocol()
    {
        var seventeen = Enumerable.Range(1, 17).Select(i => Backend($"02:00:00:00:00:{i:x2}")).ToArray();
        Assert.Equal(["virtualServers[0].backends"], Build([Server(1, 80, seventeen)]).Errors.Select(e => e.Field));
        Assert.Equal(["virtualServers[0].backends"], Build([Server(1, 80)]).Errors.Select(e => e.Field));
        Assert.NotNull(Build([Server(1, 80, seventeen[..16])]).Plans);

        var twice = Build([Server(1, 80, Backend("02:00:00:00:00:01"), Backend("02:00:00:00:00:01"), Backend("02:00:00:00:00:01", port: 81))]);
        Assert.Equal(["virtualServers[0].backends[1]"], twice.Errors.Select(e => e.Field));

        var same = Build([Server(1, 80, Backend("02:00:00:00:00:01")), Server(2, 80, Backend("02:00:00:00:00:02")), Server(3, 80, Backend("02:00:00:00:00:02")) with { Protocol = "udp" }]);
        Assert.Equal(["virtualServers[1].wanPort"], same.Errors.Select(e => e.Field));
        Assert.Contains("virtual server 1", same.Errors[0].Message);

        var forwards = new[] { new ForwardPlan(4, ForwardProtocols.Both, 70, 90, MacAddress.Parse("02:00:00:00:00:09"), 70, false, null) };
        var clash = Build([Server(1, 80, Backend("02:00:00:00:00:01"))], forwards);
        Assert.Equal(["virtualServers[0].wanPort"], clash.Errors.Select(e => e.Field));
        Assert.Contains("forward 4", clash.Errors[0].Message);
    }

    [Fact]
    public void Slots_follow_the_weights_spread_over_the_cycle()
    {
        Assert.Equal([2, 1, 0, 2, 1, 2], BackendPool.Slots([1, 2, 3], 6));
        Assert.Equal([0, 1, 0, 1], BackendPool.Slots([1, 1], 4));
        // More slots than the weights add up to (a backend is down): each gets its share within one slot.
        var counts = BackendPool.Slots([1, 3], 6).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, counts[0]);
        Assert.Equal(4, counts[1]);
        for (int total = 1; total <= 40; total++)
        {
            var spread = BackendPool.Slots([2, 3, 5], total).GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
            for (int i = 0; i < 3; i++)
                Assert.InRange(spread.GetValueOrDefault(i), (int)Math.Floor(total * new[] { 2, 3, 5 }[i] / 10.0) - 1, (int)Math.Ceiling(total * new[] { 2, 3, 5 }[i] / 10.0) + 1);
        }
    }

    [Fact]
    public void Connections_are_counted_per_backend_from_the_conntrack_table()
    {
        var plans = Build([Server(1, 80, Backend("02:00:00:00:00:01", 8080), new() { Address = "192.168.1.30", Port = 80 })]).Plans!;
        var pool = BackendPool.From(plans, _ => IPAddress.Parse("192.168.1.10"), (_, _) => BackendHealth.Up);
        string[] lines =
        [
            "ipv4     2 tcp      6 431999 ESTABLISHED src=198.51.100.7 dst=203.0.113.77 sport=40000 dport=80 src=192.168.1.10 dst=198.51.100.7 sport=8080 dport=40000 [ASSURED] mark=0 zone=0 use=2",
            "ipv4     2 tcp      6 431999 ESTABLISHED src=198.51.100.8 dst=203.0.113.77 sport=40001 dport=80 src=192.168.1.10 dst=198.51.100.8 sport=8080 dport=40001 [ASSURED] mark=0 zone=0 use=2",
            "ipv4     2 tcp      6 117 TIME_WAIT src=198.51.100.7 dst=203.0.113.77 sport=40002 dport=80 src=192.168.1.30 dst=198.51.100.7 sport=80 dport=40002 [ASSURED] mark=0 zone=0 use=2",
            // The router's own health check: not NATed, not a client's connection.
            "ipv4     2 tcp      6 100 ESTABLISHED src=192.168.1.1 dst=192.168.1.30 sport=50000 dport=80 src=192.168.1.30 dst=192.168.1.1 sport=80 dport=50000 [ASSURED] mark=0 zone=0 use=2",
            "ipv4     2 udp      17 28 src=198.51.100.7 dst=203.0.113.77 sport=5000 dport=80 [UNREPLIED] src=192.168.1.10 dst=198.51.100.7 sport=8080 dport=5000 mark=0 zone=0 use=2",
            "ipv6     10 tcp      6 300 ESTABLISHED src=2001:db8::1 dst=2001:db8::2 sport=1 dport=80 src=2001:db8::2 dst=2001:db8::1 sport=80 dport=1 [ASSURED] mark=0 zone=0 use=2",
        ];
        var active = ConntrackCount.Count(pool, lines.Select(ConntrackProcTable.Parse).OfType<ConntrackFlow>());
        Assert.Equal(2, active[(1, IPAddress.Parse("192.168.1.10"), 8080)]);
        Assert.Equal(0, active[(1, IPAddress.Parse("192.168.1.30"), 80)]);
    }

    [Fact]
    public void An_older_settings_document_gains_an_empty_virtual_server_list()
    {
        var migrated = RouterJson.ReadSettings("""{ "schemaVersion": 4, "lan": { "address": "192.168.1.1/24" } }""");
        Assert.Equal(RouterSettings.CurrentSchemaVersion, migrated.SchemaVersion);
        Assert.Empty(migrated.VirtualServers);
    }
}
