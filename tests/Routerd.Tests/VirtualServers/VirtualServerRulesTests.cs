using System.Net;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.VirtualServers;
using Routerd.Core.Diagnostics;
using Routerd.Tests.Diagnostics;
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
        static ConntrackEntry Entry(byte protocol, string client, int clientPort, string asked, int askedPort, string answers, int answersPort, byte? tcpState) =>
            new(protocol, new(IPAddress.Parse(client), IPAddress.Parse(asked), clientPort, askedPort),
                new(IPAddress.Parse(answers), IPAddress.Parse(client), answersPort, clientPort), 0, tcpState, 100);
        const byte Tcp = 6, Udp = 17, Established = 3, TimeWait = 7;
        ConntrackEntry[] table =
        [
            Entry(Tcp, "198.51.100.7", 40000, "203.0.113.77", 80, "192.168.1.10", 8080, Established),
            Entry(Tcp, "198.51.100.8", 40001, "203.0.113.77", 80, "192.168.1.10", 8080, Established),
            Entry(Tcp, "198.51.100.7", 40002, "203.0.113.77", 80, "192.168.1.30", 80, TimeWait),
            // The router's own health check: not NATed, not a client's connection.
            Entry(Tcp, "192.168.1.1", 50000, "192.168.1.30", 80, "192.168.1.30", 80, Established),
            Entry(Udp, "198.51.100.7", 5000, "203.0.113.77", 80, "192.168.1.10", 8080, null),
            Entry(Tcp, "2001:db8::1", 1, "2001:db8::2", 80, "2001:db8::2", 80, Established),
            Entry(Tcp, "198.51.100.9", 40003, "203.0.113.77", 443, "192.168.1.10", 8080, Established),
        ];
        var reader = new ConntrackTable(table);
        var active = new ConntrackBackendConnections(reader).Active(pool);
        Assert.Equal(6, reader.Kept); // only entries to a server's WAN port are held
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
