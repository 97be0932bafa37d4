using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Routerd.Lab;

namespace Routerd.Bench;

/// <summary>`bench core` (issue 2): binary size, start to first HTTP answer, idle RSS, NAT
/// goodput against bare forwarding in the same namespaces, and render+apply time with 1, 100
/// and 1,000 devices that have static leases.</summary>
static class CoreBench
{
    const int StartRuns = 9, GoodputRounds = 8, GoodputSeconds = 4, ApplyRuns = 7, SettleMs = 3000;

    public static async Task<Report> Run(BenchOptions o)
    {
        var report = new Report("core");
        if (!o.StartOnly) Sizes(o, report);
        using (var bench = BenchLab.Create(o, startRouterd: false))
        {
            await StartAndMemory(bench, report);
            if (o.StartOnly) return report;
            await bench.WaitUntilRouting();
            await NatGoodput(bench, report);
        }
        await Apply(o, report);
        return report;
    }

    static void Sizes(BenchOptions o, Report report)
    {
        const double MB = 1024 * 1024;
        report.Add("binary_bytes_x64", "binary size, linux-x64", new FileInfo(o.Routerd).Length, "B", Target.Max(20 * MB));
        if (o.Arm64 is { } arm && File.Exists(arm))
            report.Add("binary_bytes_arm64", "binary size, linux-arm64", new FileInfo(arm).Length, "B", Target.Max(20 * MB));
        else
            throw new InvalidOperationException($"the arm64 binary is not built at {o.Arm64}: run ./build.sh build");
    }

    /// <summary>The first start seeds the settings (first boot); the later ones are restarts of a
    /// configured router, the everyday case, and give the median. start_ms counts from routerd's
    /// exec, as a board's init starts it; the lab's launcher (setsid, ip netns exec) comes before
    /// that and is reported beside it.</summary>
    static async Task StartAndMemory(BenchLab bench, Report report)
    {
        var (firstBoot, _) = await bench.StartRouterdTimed();
        await bench.WaitUntilRouting();
        var restarts = new List<double>();
        var withLauncher = new List<double>();
        for (int i = 0; i < StartRuns; i++)
        {
            bench.Lab.StopRouterd();
            var (exec, total) = await bench.StartRouterdTimed();
            restarts.Add(exec);
            withLauncher.Add(total);
            await Task.Delay(500);
        }
        report.Add("start_ms", $"start (exec) → first HTTP answer (median of {StartRuns} restarts)", Stats.Median(restarts), "ms", Target.Max(100));
        report.Add("start_with_launcher_ms", "  the same from starting the lab's launcher (setsid, ip netns exec; median)", Stats.Median(withLauncher), "ms");
        report.Add("first_boot_start_ms", "start (exec) → first HTTP answer, first boot (one run)", firstBoot, "ms");
        report.Detail("start_ms_samples", Report.Samples(restarts, 2));
        report.Detail("start_with_launcher_ms_samples", Report.Samples(withLauncher, 2));
        await StartWithoutIpv6(bench, report);

        // Idle: the router routes, nobody talks to it. Three samples a second apart, median.
        await bench.WaitUntilRouting();
        await Task.Delay(5000);
        var rss = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            rss.Add(RssMb(bench.Lab.Routerd!.Pid, bench.Routerd));
            await Task.Delay(1000);
        }
        report.Add("idle_rss_mb", "idle RSS", Stats.Median(rss), "MiB", Target.Max(30));
    }

    /// <summary>The same restarts with IPv6 off: what the DHCPv6 client (dhcpcd in a mount namespace
    /// of its own) adds to the start, and the figure to hold against a routerd from before IPv6.
    /// Skipped, and said so, for a routerd whose settings have no IPv6 block.</summary>
    static async Task StartWithoutIpv6(BenchLab bench, Report report)
    {
        var settings = (JsonObject)await bench.Api.GetJson("/api/settings");
        if (settings["ipv6"] is not JsonObject ipv6)
        {
            Console.Error.WriteLine("bench: this routerd has no IPv6 settings: start_ipv6_off_ms not measured");
            return;
        }
        ipv6["enabled"] = false;
        await bench.Put("/api/settings", settings);
        var restarts = new List<double>();
        for (int i = 0; i < StartRuns; i++)
        {
            bench.Lab.StopRouterd();
            restarts.Add((await bench.StartRouterdTimed()).Exec);
            await Task.Delay(500);
        }
        report.Add("start_ipv6_off_ms", $"  the same with IPv6 off (median of {StartRuns} restarts)", Stats.Median(restarts), "ms");
        report.Detail("start_ipv6_off_ms_samples", Report.Samples(restarts, 2));
        ipv6["enabled"] = true;
        await bench.Put("/api/settings", settings);
    }

    /// <summary>The lab starts routerd through `setsid` and `ip netns exec`, both of which exec,
    /// so the process it started is routerd itself; checked all the same.</summary>
    static double RssMb(int pid, string binary)
    {
        string? exe = File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: true)?.FullName;
        if (exe != Path.GetFullPath(binary))
            throw new InvalidOperationException($"pid {pid} runs {exe}, not routerd ({binary})");
        var line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>The laptop's upload to the internet host, in rounds of the four set-ups of
    /// <see cref="NatPath"/>: routerd as it runs, its ruleset without its queues, the kernel's NAT
    /// alone and bare forwarding. Interleaved rounds, one run, each round in a different order (a rotation), so that no
    /// set-up always comes first after routerd's restart or last before it. Each ratio is the
    /// median over the rounds of that round's set-up against that round's bare forwarding: the
    /// host drifts within a run (one set-up's samples spread from 8.4 to 14.5 Gbit/s in one run),
    /// and a ratio of the medians taken apart then compares different moments. One TCP flow
    /// between veth pairs is bound by one core, so the ratio is the CPU the path costs per byte.</summary>
    static async Task NatGoodput(BenchLab bench, Report report)
    {
        string[] order = [NatPath.Routerd, NatPath.Ruleset, NatPath.Nat, NatPath.Bare];
        var samples = order.ToDictionary(s => s, _ => new List<double>());
        var path = new NatPath(bench, TimeSpan.FromMilliseconds(SettleMs));
        for (int round = 0; round < GoodputRounds; round++)
        {
            Console.Error.WriteLine($"bench: NAT goodput, round {round + 1} of {GoodputRounds}");
            foreach (var setup in order.Skip(round % order.Length).Concat(order.Take(round % order.Length)))
                samples[setup].Add(await path.Measure(setup, what => Goodput(bench, what)));
        }
        await path.Restore(); // the next benchmark needs routerd running
        double ToBare(string setup) => Stats.Median(samples[setup].Zip(samples["bare"], (v, bare) => v / bare).ToList());
        report.Add("nat_goodput_ratio", "NAT goodput / bare forwarding (median of the rounds)", ToBare("routerd"), "", Target.Min(0.97));
        report.Add("nat_ruleset_only_ratio", "  ruleset without queues / bare", ToBare("ruleset"), "");
        report.Add("nat_kernel_only_ratio", "  the kernel's NAT alone (conntrack + masquerade) / bare", ToBare("nat"), "");
        report.Add("nat_routerd_vs_kernel_ratio", "  routerd / the kernel's NAT alone (what routerd adds)",
            Stats.Median(samples["routerd"].Zip(samples["nat"], (v, nat) => v / nat).ToList()), "");
        report.Add("nat_goodput_mbit", "  NAT goodput through routerd (median)", Stats.Median(samples["routerd"]) / 1e6, "Mbit/s");
        report.Add("bare_goodput_mbit", "  bare forwarding goodput (median)", Stats.Median(samples["bare"]) / 1e6, "Mbit/s");
        report.Detail("goodput_mbit_samples", new JsonObject(samples.Select(kv =>
            KeyValuePair.Create(kv.Key, (JsonNode?)Report.Samples(kv.Value.Select(v => v / 1e6), 1)))));
    }

    static double Goodput(BenchLab bench, string what) =>
        Traffic.RunIperf(bench.Lab, bench.Lab.Laptop, GoodputSeconds, flows: 1, download: false, what, pinned: true);

    /// <summary>Render + apply through the API, as a user's settings change goes: PUT /api/settings
    /// with N devices, each with a static lease, a name and priority on (so the VIP set holds N
    /// MACs and dnsmasq's hosts file N lines). Consecutive documents give every device another
    /// MAC, so each PUT changes the sets and the hosts file. "Full" deletes routerd's table first,
    /// so the whole ruleset is loaded, as after a ruleset change; "sets only" is the everyday
    /// change. A /16 LAN (board defaults on routerd's command line) makes room for 1,000 leases.</summary>
    static async Task Apply(BenchOptions o, Report report)
    {
        using var bench = BenchLab.Create(o, routerdArgs: ["--Defaults:LanAddress=10.0.0.1/16", "--Defaults:DhcpStart=10.0.200.1", "--Defaults:DhcpEnd=10.0.200.250"]);
        await bench.Lab.WaitFor(async () => (await bench.Api.GetJson("/api/status")) is not null, TimeSpan.FromSeconds(60), "routerd to answer");
        var baseSettings = (JsonObject)await bench.Api.GetJson("/api/settings");
        int variant = 0;
        foreach (int n in new[] { 1, 100, 1000 })
        {
            var full = new List<double>();
            var setsOnly = new List<double>();
            await Timed(bench, Devices(baseSettings, n, variant++)); // warm-up: from the previous size to this one
            for (int i = 0; i < ApplyRuns; i++)
            {
                bench.InRouter("nft delete table inet routerd");
                full.Add(await Timed(bench, Devices(baseSettings, n, variant++)));
                setsOnly.Add(await Timed(bench, Devices(baseSettings, n, variant++)));
            }
            var vip = bench.InRouter("nft list set inet routerd vip_macs");
            if (vip.Split(':').Length < n * 5) throw new InvalidOperationException($"the VIP set does not hold {n} MACs:\n{vip}");
            report.Add($"apply_ms_{n}", $"render+apply, {n} device(s), whole ruleset (median)", Stats.Median(full), "ms", n == 1000 ? Target.Max(100) : null);
            report.Add($"apply_sets_ms_{n}", $"  the same, ruleset unchanged: sets + leases only", Stats.Median(setsOnly), "ms");
            report.Detail($"apply_ms_{n}_samples", Report.Samples(full, 2));
        }
    }

    static async Task<double> Timed(BenchLab bench, JsonObject settings)
    {
        var sw = Stopwatch.StartNew();
        await bench.Put("/api/settings", settings);
        return sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>The settings with <paramref name="n"/> devices; <paramref name="variant"/> picks
    /// one of two MAC ranges.</summary>
    static JsonObject Devices(JsonObject baseSettings, int n, int variant)
    {
        var s = (JsonObject)baseSettings.DeepClone();
        var devices = new JsonArray();
        var leases = new JsonArray();
        for (int i = 0; i < n; i++)
        {
            string mac = string.Create(CultureInfo.InvariantCulture, $"02:be:{variant % 2:x2}:00:{i >> 8:x2}:{i & 0xff:x2}");
            devices.Add(new JsonObject { ["mac"] = mac, ["name"] = $"device {i}", ["priority"] = true });
            leases.Add(new JsonObject { ["mac"] = mac, ["address"] = $"10.0.{1 + i / 250}.{1 + i % 250}", ["hostname"] = $"dev{i}" });
        }
        s["devices"] = devices;
        s["lan"]!["staticLeases"] = leases;
        return s;
    }
}
