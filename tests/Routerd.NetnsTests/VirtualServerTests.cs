using System.Diagnostics;
using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;
using Xunit.Abstractions;

namespace Routerd.NetnsTests;

/// <summary>The lab with health checks every <see cref="Interval"/> seconds (the board's HealthCheckSeconds).</summary>
public sealed class VirtualServerLabFixture : LabFixture
{
    public const int Interval = 2;
    protected override LabOptions Options => new() { RouterdArgs = [$"--HealthCheckSeconds={Interval}"] };
}

/// <summary>Virtual servers on the host kernel, which has no IPVS: the nftables balancer (issue 20).
/// Three backends behind one WAN port, on the phone and the laptop: each answers with its letter.</summary>
public sealed class VirtualServerTests : IClassFixture<VirtualServerLabFixture>, IDisposable
{
    const int WanPort = 8090;
    readonly Lab.Lab lab;
    readonly RouterdApi api;
    readonly ITestOutputHelper output;
    readonly List<LabProcess> services = [];

    public VirtualServerTests(VirtualServerLabFixture fixture, ITestOutputHelper output)
    {
        (lab, api, this.output) = (fixture.Lab, fixture.Api, output);
        services.Add(Serve(lab.Phone, 7201, "a"));
        services.Add(Serve(lab.Laptop, 7202, "b"));
        services.Add(Serve(lab.Phone, 7203, "c"));
    }

    LabProcess Serve(LabClient client, int port, string letter)
    {
        var p = lab.StartIn(client.Namespace, $"socat TCP-LISTEN:{port},reuseaddr,fork SYSTEM:'echo {letter}'", $"{client.Name}-{letter}");
        lab.WaitFor(() => lab.RunIn(client.Namespace, $"ss -Hltn 'sport = :{port}'").Stdout.Trim().Length > 0, TimeSpan.FromSeconds(5), $"{letter} to listen").GetAwaiter().GetResult();
        return p;
    }

    public void Dispose()
    {
        foreach (var s in services) s.Dispose();
    }

    static JsonObject Backend(string mac, int port, int weight) => new() { ["mac"] = mac, ["port"] = port, ["weight"] = weight };

    async Task<int> Create(JsonObject server)
    {
        using var r = await api.Post("/api/virtual-servers", server);
        string body = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == 201, $"POST /api/virtual-servers → {(int)r.StatusCode}: {body}");
        return (int)JsonNode.Parse(body)!["id"]!;
    }

    async Task DeleteAll()
    {
        foreach (var s in (JsonArray)await api.GetJson("/api/virtual-servers"))
            using (var r = await api.Delete($"/api/virtual-servers/{(int)s!["id"]!}"))
                Assert.True((int)r.StatusCode == 204, $"DELETE → {(int)r.StatusCode}");
    }

    /// <summary>n connections from the internet host, one after another; each backend's letter counted.</summary>
    Dictionary<string, int> Connect(int n, int port = WanPort, int seconds = 5)
    {
        var r = lab.RunIn(lab.IspNs, $"for i in $(seq {n}); do timeout {seconds} socat -T 3 - TCP:{lab.WanIp()}:{port},bind={LabAddresses.InternetHost},connect-timeout=3 </dev/null; done",
            TimeSpan.FromSeconds(Math.Max(60, n * seconds)));
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
    }

    string Slots(int server = 1) => lab.RunIn(lab.RouterNs, $"nft list map inet routerd vs_{server}_backends").Stdout;

    JsonObject Farm() => new()
    {
        ["protocol"] = "tcp", ["wanPort"] = WanPort, ["scheduler"] = "rr", ["description"] = "three letters",
        ["backends"] = new JsonArray(Backend(lab.Phone.Mac, 7201, 1), Backend(lab.Laptop.Mac, 7202, 2), Backend(lab.Phone.Mac, 7203, 3)),
    };

    [Fact]
    public async Task Three_hundred_connections_spread_by_the_weights_1_2_3()
    {
        try
        {
            await Create(Farm());
            var counts = Connect(300);
            output.WriteLine($"a {counts.GetValueOrDefault("a")}, b {counts.GetValueOrDefault("b")}, c {counts.GetValueOrDefault("c")}");
            foreach (var (letter, weight) in new[] { ("a", 1), ("b", 2), ("c", 3) })
                Assert.InRange((double)counts.GetValueOrDefault(letter), 300.0 * weight / 6 * 0.85, 300.0 * weight / 6 * 1.15);
            Assert.Equal(300, counts.Values.Sum());
            var list = (JsonArray)await api.GetJson("/api/virtual-servers");
            Assert.Equal("nftables", (string?)list[0]!["balancer"]);
            Assert.All(list[0]!["backends"]!.AsArray(), b => Assert.True((bool)b!["inPool"]!));
        }
        finally { await DeleteAll(); }
    }

    [Fact]
    public async Task A_killed_backend_is_out_within_two_intervals_and_back_after_it_returns()
    {
        try
        {
            await Create(Farm());
            string laptop = lab.LeaseOf(lab.Laptop)!.Address;
            await lab.WaitFor(async () => (string?)((JsonArray)await api.GetJson("/api/virtual-servers"))[0]!["backends"]![1]!["health"] == "up",
                TimeSpan.FromSeconds(3 * VirtualServerLabFixture.Interval + 5), "the laptop's backend to be checked");

            services[1].Dispose();
            var killed = Stopwatch.StartNew();
            await lab.WaitFor(() => !Slots().Contains(laptop), TimeSpan.FromSeconds(30), "the dead backend to leave the slot map");
            double gone = killed.Elapsed.TotalSeconds;
            output.WriteLine($"out of the slots {gone:0.00} s after the kill (interval {VirtualServerLabFixture.Interval} s)");
            Assert.True(gone <= 2 * VirtualServerLabFixture.Interval, $"the dead backend left after {gone:0.00} s, more than two intervals\n{Slots()}");
            var backend = ((JsonArray)await api.GetJson("/api/virtual-servers"))[0]!["backends"]![1]!;
            Assert.Equal("down", (string?)backend["health"]);
            Assert.False((bool)backend["inPool"]!);
            var without = Connect(30);
            Assert.Equal(0, without.GetValueOrDefault("b"));
            Assert.Equal(30, without.Values.Sum()); // every connection still served, by the two left

            services[1] = Serve(lab.Laptop, 7202, "b");
            var back = Stopwatch.StartNew();
            await lab.WaitFor(() => Slots().Contains(laptop), TimeSpan.FromSeconds(30), "the backend to come back into the slot map");
            output.WriteLine($"back in the slots {back.Elapsed.TotalSeconds:0.00} s after it listened again");
            Assert.True(back.Elapsed.TotalSeconds <= 2 * VirtualServerLabFixture.Interval, $"back after {back.Elapsed.TotalSeconds:0.00} s");
            Assert.True(Connect(12).GetValueOrDefault("b") >= 3, "the returned backend takes its share again");
        }
        finally { await DeleteAll(); }
    }

    [Fact]
    public async Task The_api_counts_a_backends_open_connection()
    {
        // A backend that holds its connection open for a few seconds, alone behind its own port.
        using var slow = lab.StartIn(lab.Phone.Namespace, "socat TCP-LISTEN:7204,reuseaddr,fork SYSTEM:'echo s; sleep 6'", "phone-slow");
        await lab.WaitFor(() => lab.RunIn(lab.Phone.Namespace, "ss -Hltn 'sport = :7204'").Stdout.Trim().Length > 0, TimeSpan.FromSeconds(5), "the slow service");
        try
        {
            await Create(new JsonObject { ["protocol"] = "tcp", ["wanPort"] = WanPort + 1, ["backends"] = new JsonArray(Backend(lab.Phone.Mac, 7204, 1)) });
            using var client = lab.StartIn(lab.IspNs, $"timeout 10 socat -u TCP:{lab.WanIp()}:{WanPort + 1},bind={LabAddresses.InternetHost} -", "isp-slow-client");
            await lab.WaitFor(async () => (int?)((JsonArray)await api.GetJson("/api/virtual-servers"))[0]!["backends"]![0]!["activeConnections"] == 1,
                TimeSpan.FromSeconds(5), "GET /api/virtual-servers to count the open connection");
        }
        finally { await DeleteAll(); }
    }

    /// <summary>Weighted least-connections without IPVS: a backend holding ten long connections
    /// (made through the server while it was the only one) and an idle one of the same weight added
    /// next to it. After routerd's next count (one health round) the idle one holds most of the
    /// slots, and new connections go mostly to it — round-robin would give it half. Adding the
    /// backend loads no ruleset (the counter keeps counting).</summary>
    [Fact]
    public async Task Least_connections_favours_an_idle_backend_over_one_holding_long_connections()
    {
        const int Port = WanPort + 2, Held = 10, Fresh = 40;
        using var holding = lab.StartIn(lab.Phone.Namespace, "socat TCP-LISTEN:7205,reuseaddr,fork SYSTEM:'echo h; sleep 40'", "phone-holding");
        using var idle = lab.StartIn(lab.Laptop.Namespace, "socat TCP-LISTEN:7206,reuseaddr,fork SYSTEM:'echo i'", "laptop-idle");
        await lab.WaitFor(() => lab.RunIn(lab.Phone.Namespace, "ss -Hltn 'sport = :7205'").Stdout.Trim().Length > 0
            && lab.RunIn(lab.Laptop.Namespace, "ss -Hltn 'sport = :7206'").Stdout.Trim().Length > 0, TimeSpan.FromSeconds(5), "both services");
        string laptop = lab.LeaseOf(lab.Laptop)!.Address;
        try
        {
            var server = new JsonObject { ["protocol"] = "tcp", ["wanPort"] = Port, ["scheduler"] = "wlc", ["backends"] = new JsonArray(Backend(lab.Phone.Mac, 7205, 1)) };
            int id = await Create(server);
            using var clients = lab.StartIn(lab.IspNs,
                $"for i in $(seq {Held}); do timeout 35 socat -u TCP:{lab.WanIp()}:{Port},bind={LabAddresses.InternetHost} - >/dev/null & done; wait", "isp-long-clients");
            await lab.WaitFor(async () => (int?)((JsonArray)await api.GetJson("/api/virtual-servers"))[0]!["backends"]![0]!["activeConnections"] == Held,
                TimeSpan.FromSeconds(10), $"the {Held} long connections to be established");
            // A table loaded again is a table made again: it gets a new handle.
            string TableHandle() => lab.RunIn(lab.RouterNs, "nft -a list tables").Stdout.Split('\n').Single(l => l.Contains("inet routerd"));
            string before = TableHandle();

            server["backends"]!.AsArray().Add(Backend(lab.Laptop.Mac, 7206, 1));
            using (var r = await api.Put($"/api/virtual-servers/{id}", server))
                Assert.True((int)r.StatusCode == 200, $"PUT → {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
            int IdleSlots() => Slots(id).Split($"{laptop} . 7206").Length - 1;
            await lab.WaitFor(() => IdleSlots() >= 200, TimeSpan.FromSeconds(4 * VirtualServerLabFixture.Interval + 5),
                "routerd's count to give the idle backend most of the slots");
            output.WriteLine($"idle backend's slots: {IdleSlots()} of 240");
            Assert.Equal(before, TableHandle());

            var counts = Connect(Fresh, Port, seconds: 2);
            output.WriteLine($"new connections: idle {counts.GetValueOrDefault("i")}, holding {counts.GetValueOrDefault("h")}");
            Assert.Equal(Fresh, counts.Values.Sum());
            Assert.True(counts.GetValueOrDefault("i") >= Fresh * 0.8, $"the idle backend took {counts.GetValueOrDefault("i")} of {Fresh}");
            var shown = ((JsonArray)await api.GetJson("/api/virtual-servers"))[0]!;
            Assert.Equal("wlc", (string?)shown["schedulerInEffect"]);
            Assert.Equal("nftables", (string?)shown["balancer"]);
        }
        finally { await DeleteAll(); }
    }
}
