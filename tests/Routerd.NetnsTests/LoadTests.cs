using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;
using Xunit.Abstractions;

namespace Routerd.NetnsTests;

/// <summary>Issue 18's load: 250 LAN clients taking leases at once while the router tracks 64k
/// connections. The behaviour is asserted here (every client leased, every one in the device
/// list, routerd serving); the speed and memory figures are the benchmark's (`./build.sh bench
/// hardening`: load_devices_p99_ms, load_rss_mb), printed here for a look.</summary>
public sealed class LoadTests(LabFixture fixture, ITestOutputHelper output) : IClassFixture<LabFixture>
{
    const int Clients = 250, Flows = 64 * 1024;
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi socket = fixture.Api;

    [Fact]
    public async Task Two_hundred_fifty_clients_at_once_all_get_a_lease_beside_64k_connections()
    {
        int pid = lab.PidsOf(lab.RouterNs, "routerd").Single();
        double idle = LoadClients.RssMb(pid);
        var settings = await socket.Settings();
        settings["lan"]!["dhcp"]!["start"] = LoadClients.PoolStart;
        settings["lan"]!["dhcp"]!["end"] = LoadClients.PoolEnd;
        using (var put = await socket.Put("/api/settings", settings))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        int tracked = LoadClients.FillConntrack(lab, Flows);
        Assert.True(tracked >= Flows, $"conntrack holds {tracked} entries, expected at least {Flows}");

        var (leased, took) = LoadClients.TakeLeases(lab, Clients, TimeSpan.FromSeconds(120));
        output.WriteLine($"{leased}/{Clients} clients leased in {took.TotalSeconds:0.0} s beside {tracked} conntrack entries");
        Assert.Equal(Clients, leased);

        var macs = Enumerable.Range(0, Clients).Select(LoadClients.Mac).ToHashSet();
        await lab.WaitFor(async () =>
            (await socket.GetJson("/api/devices")).AsArray().Count(d => macs.Contains((string?)d!["mac"] ?? "") && d["addresses"]?.AsArray().Count > 0) == Clients,
            TimeSpan.FromSeconds(20), $"all {Clients} clients in the device list with their addresses");

        var ms = await LoadClients.DeviceListTimes(socket, 200);
        output.WriteLine($"GET /api/devices p50 {LoadClients.Percentile(ms, 0.5):0.0} ms, p99 {LoadClients.Percentile(ms, 0.99):0.0} ms; " +
            $"routerd {ProcessMemory.Of(pid)}, idle before {idle:0.0} MB ({Environment.GetEnvironmentVariable("ROUTERD") ?? "debug build"})");
        Assert.True(lab.FetchHello(lab.Phone).Ok, "the phone still reaches the internet");
    }
}
