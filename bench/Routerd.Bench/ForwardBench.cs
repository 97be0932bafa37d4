using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Routerd.Core.Firewall;
using Routerd.Lab;

namespace Routerd.Bench;

/// <summary>`bench forward` (issue 20, seed 004's question): new TCP connections per second and
/// one flow's goodput from the internet host to a server on the phone through a port forward,
/// with 1, 1,000 and 10,000 forwarded ports, through routerd's map (installed through its API) and
/// through the same forwards as a linear iptables-legacy DNAT chain (routerd stopped, its table
/// and queues removed), side by side in one run on the same namespaces; then the time from the
/// API call adding one forward (10,000 ports forwarded) to the first connection through it, and
/// the full apply of 10,000. What 10,000 means here: <see cref="ForwardLayout"/>.</summary>
static class ForwardBench
{
    const int Rounds = 8, Workers = 4, ServerThreads = 6, AddRuns = 50, ApplyRuns = 5;
    /// <summary>Forwarded ports in each set-up; the last is "10,000".</summary>
    public static readonly int[] Sizes = [1, 1000, 10000];
    /// <summary>The server on the phone, the WAN port of the measured forward, the first filler
    /// port (fillers are forwarded to the same port on the phone, where nothing listens: they are
    /// never used, only looked through) and the first WAN port of the timed adds.</summary>
    public const int ServerPort = 7200, AddServerPort = 7201, MeasuredWanPort = 40000, FillerFirst = 20000, AddFirst = 41000;
    static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(300), RateWindow = TimeSpan.FromSeconds(2),
        GoodputWarmUp = TimeSpan.FromMilliseconds(500), GoodputWindow = TimeSpan.FromSeconds(2);
    /// <summary>After routerd is started again: routing is back, its children are still settling.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public static async Task<Report> Run(BenchOptions o)
    {
        if (!CommandResult.Run(["iptables-legacy", "--version"], TimeSpan.FromSeconds(10)).Ok)
            throw new InvalidOperationException("iptables-legacy is not installed (Debian package iptables): ./build.sh deps installs it");
        var report = new Report("forward");
        using var bench = BenchLab.Create(o);
        await bench.WaitUntilRouting();
        var path = await ForwardPath.Create(bench);
        using (ConnServer.Start(bench.Lab.Phone.Namespace, ServerPort, ServerThreads))
        {
            if (!o.AddsOnly) await Connections(path, report);
            // The added forwards lead to a server of their own. The rate rounds leave the phone
            // with ~14,000 connections in TIME_WAIT on the first server's port (one for half the
            // source ports the ISP side can pick); with that port the probe's SYNs went unanswered
            // for up to 8 ms after routerd had answered and the map held the forward (add p99
            // 10.9 ms; 6.4 ms with a port of their own, the same binary).
            using (ConnServer.Start(bench.Lab.Phone.Namespace, AddServerPort, 1))
                await AddOne(path, report);
            await Apply(path, report);
        }
        report.Detail("forwards", $"{Sizes[^1]:N0} forwarded ports are {1 + ForwardLayout.FillerForwards(Sizes[^1], ForwardRules.MaxForwards)} forwards " +
            $"(the measured one and port ranges of about {Sizes[^1] / ForwardRules.MaxForwards} ports): routerd's settings refuse more than {ForwardRules.MaxForwards} " +
            "forwards (issue 20, bad input), and its map holds one element per protocol and port however the ports were entered, so its data path is the one " +
            $"{Sizes[^1]:N0} single-port forwards would have. 1,000 are 1,000 single-port forwards. The iptables chain holds one DNAT rule per port, the measured one last; " +
            "with routerd stopped and its table and queues removed, and a forward filter like routerd's (policy drop; conntrack's established and DNAT pass). " +
            "The legacy tables are registered from the start, so every set-up passes their hooks alike.");
        report.Detail("host", $"a shared machine ({Environment.ProcessorCount} cores, several engineers building and testing on it): the absolute rates move " +
            "with its load (load_average); the ratios come from interleaved rounds (each ratio is one round's, the figure their median).");
        return report;
    }

    /// <summary>Rounds of six set-ups: routerd's map and the iptables chain, each with 1, 1,000 and
    /// 10,000 forwarded ports. The kinds alternate which comes first from round to round, so that
    /// routerd is stopped and started once per two rounds, and the sizes rotate within a kind.
    /// Every ratio is the median of one round's ratios: the host drifts within a run.</summary>
    static async Task Connections(ForwardPath path, Report report)
    {
        var rate = new Dictionary<(string Kind, int Size), List<double>>();
        var goodput = new Dictionary<(string Kind, int Size), List<double>>();
        var failures = new Dictionary<(string Kind, int Size), long>();
        foreach (var kind in new[] { "routerd", "iptables" })
            foreach (int n in Sizes)
            {
                rate[(kind, n)] = [];
                goodput[(kind, n)] = [];
                failures[(kind, n)] = 0;
            }
        for (int round = 0; round < Rounds; round++)
        {
            Console.Error.WriteLine($"bench: forward connections, round {round + 1} of {Rounds}");
            var kinds = round % 2 == 0 ? new[] { "routerd", "iptables" } : new[] { "iptables", "routerd" };
            int[] sizes = [.. Sizes.Skip(round % Sizes.Length), .. Sizes.Take(round % Sizes.Length)];
            foreach (var kind in kinds)
                foreach (int n in sizes)
                {
                    var to = kind == "routerd" ? await path.Routerd(n) : path.Iptables(n);
                    var sample = ConnClient.Rate(path.IspNs, to, Workers, WarmUp, RateWindow);
                    if (sample.PerSecond <= 0) throw new InvalidOperationException($"{kind}, {n} forwarded port(s): no connection completed ({sample.Failures} failed)");
                    rate[(kind, n)].Add(sample.PerSecond);
                    failures[(kind, n)] += sample.Failures;
                    goodput[(kind, n)].Add(ConnClient.Goodput(path.IspNs, to, GoodputWarmUp, GoodputWindow));
                }
        }
        await path.Routerd(Sizes[0]); // what follows needs routerd running

        double Ratio(Dictionary<(string, int), List<double>> samples, (string, int) a, (string, int) b) =>
            Stats.Median(samples[a].Zip(samples[b], (x, y) => x / y).ToList());
        string Ports(int n) => n == 1 ? "1 forward" : $"{n:N0} forwarded ports";
        int big = Sizes[^1], mid = Sizes[1];
        report.Add("connrate_1", $"new connections/s through routerd's map, {Ports(1)} (median)", Stats.Median(rate[("routerd", 1)]), "conn/s");
        report.Add("connrate_1k", $"  the same, {Ports(mid)}", Stats.Median(rate[("routerd", mid)]), "conn/s");
        report.Add("connrate_10k", $"  the same, {Ports(big)}", Stats.Median(rate[("routerd", big)]), "conn/s");
        report.Add("connrate_ratio_10k", $"routerd: rate at {big:N0} / at 1 (median of the rounds' ratios)", Ratio(rate, ("routerd", big), ("routerd", 1)), "", Target.Min(0.95));
        report.Add("connrate_ratio_1k", $"  routerd: rate at {mid:N0} / at 1", Ratio(rate, ("routerd", mid), ("routerd", 1)), "");
        report.Add("iptables_connrate_1", "new connections/s through an iptables-legacy DNAT chain, 1 rule (median)", Stats.Median(rate[("iptables", 1)]), "conn/s");
        report.Add("iptables_connrate_1k", $"  the same, {mid:N0} rules", Stats.Median(rate[("iptables", mid)]), "conn/s");
        report.Add("iptables_connrate_10k", $"  the same, {big:N0} rules (the measured forward last)", Stats.Median(rate[("iptables", big)]), "conn/s");
        report.Add("iptables_connrate_ratio_10k", $"iptables: rate at {big:N0} / at 1 (the anchor; median of the rounds' ratios)", Ratio(rate, ("iptables", big), ("iptables", 1)), "");
        report.Add("iptables_connrate_ratio_1k", $"  iptables: rate at {mid:N0} / at 1", Ratio(rate, ("iptables", mid), ("iptables", 1)), "");
        report.Add("routerd_vs_iptables_connrate_1", "routerd / iptables, rate at 1 (same round)", Ratio(rate, ("routerd", 1), ("iptables", 1)), "");
        report.Add("routerd_vs_iptables_connrate_10k", $"routerd / iptables, rate at {big:N0} (same round)", Ratio(rate, ("routerd", big), ("iptables", big)), "");
        report.Add("goodput_mbit_1", $"one flow's goodput through routerd's forward, {Ports(1)} (median)", Stats.Median(goodput[("routerd", 1)]) / 1e6, "Mbit/s");
        report.Add("goodput_ratio_10k", $"  routerd: goodput at {big:N0} / at 1", Ratio(goodput, ("routerd", big), ("routerd", 1)), "");
        report.Add("iptables_goodput_mbit_1", "  the same through the iptables chain, 1 rule (median)", Stats.Median(goodput[("iptables", 1)]) / 1e6, "Mbit/s");
        report.Add("iptables_goodput_ratio_10k", $"  iptables: goodput at {big:N0} / at 1", Ratio(goodput, ("iptables", big), ("iptables", 1)), "");
        report.Detail("connrate_samples", new JsonObject(rate.Select(kv =>
            KeyValuePair.Create($"{kv.Key.Kind}_{kv.Key.Size}", (JsonNode?)Report.Samples(kv.Value, 0)))));
        report.Detail("goodput_mbit_samples", new JsonObject(goodput.Select(kv =>
            KeyValuePair.Create($"{kv.Key.Kind}_{kv.Key.Size}", (JsonNode?)Report.Samples(kv.Value.Select(v => v / 1e6), 1)))));
        report.Detail("connection_failures", new JsonObject(failures.Select(kv =>
            KeyValuePair.Create($"{kv.Key.Kind}_{kv.Key.Size}", (JsonNode?)kv.Value))));
        report.Detail("install_ms_samples", new JsonObject(path.InstallMs.Select(kv =>
            KeyValuePair.Create(kv.Key, (JsonNode?)Report.Samples(kv.Value, 1)))));
        report.Detail("connection_test", $"{Workers} clients in the ISP's namespace, each: connect to the WAN address's forwarded port, send {ConnServer.RequestBytes} bytes, " +
            $"read the server's {ConnServer.AnswerBytes}-byte answer and its close, close; {RateWindow.TotalSeconds:0.#} s per sample after {WarmUp.TotalMilliseconds:0} ms. " +
            $"Server: {ServerThreads} threads on the phone. Goodput: one flow from the phone's server to the ISP, {GoodputWindow.TotalSeconds:0.#} s after {GoodputWarmUp.TotalMilliseconds:0} ms. " +
            "conntrack is flushed in the router before each set-up.");
    }

    /// <summary>With the largest size installed, one more forward through POST /api/forwards (to
    /// the phone's second server, <see cref="AddServerPort"/>), timed from the call to the first
    /// connection answered through it (the probe sends a new SYN every millisecond), then deleted
    /// again; a new WAN port each time.</summary>
    static async Task AddOne(ForwardPath path, Report report)
    {
        var to = await path.Routerd(Sizes[^1]);
        Console.Error.WriteLine($"bench: forward adds, {AddRuns} with {Sizes[^1]:N0} ports forwarded");
        var firsts = new List<double>();
        var answers = new List<double>();
        for (int i = 0; i < AddRuns; i++)
        {
            int port = AddFirst + i;
            var clock = new Stopwatch();
            using var ready = new ManualResetEventSlim();
            using var go = new ManualResetEventSlim();
            var probe = ConnClient.FirstAnswer(path.IspNs, new IPEndPoint(to.Address, port), clock, ready, go, TimeSpan.FromSeconds(10));
            ready.Wait(TimeSpan.FromSeconds(5));
            clock.Start();
            go.Set();
            int id;
            using (var r = await path.Bench.Api.Post("/api/forwards", ForwardPath.Forward(0, port, port, path.PhoneMac, AddServerPort, "added")))
            {
                answers.Add(clock.Elapsed.TotalMilliseconds);
                string body = await r.Content.ReadAsStringAsync();
                if ((int)r.StatusCode != 201) throw new InvalidOperationException($"POST /api/forwards → {(int)r.StatusCode}: {body}");
                id = (int)JsonNode.Parse(body)!["id"]!;
            }
            try { firsts.Add((await probe).TotalMilliseconds); }
            catch (TimeoutException e) { throw new InvalidOperationException($"the added forward of port {port} never let a connection through: {e.Message}"); }
            using (var d = await path.Bench.Api.Delete($"/api/forwards/{id}"))
                if ((int)d.StatusCode != 204) throw new InvalidOperationException($"DELETE /api/forwards/{id} → {(int)d.StatusCode}");
            await Task.Delay(100);
        }
        report.Add("add_p99_ms", $"add one forward, {Sizes[^1]:N0} ports forwarded: API call → first connection through it (p99 of {AddRuns})", Stats.Percentile(firsts, 99), "ms", Target.Max(10));
        report.Add("add_p50_ms", "  the same, median", Stats.Median(firsts), "ms");
        report.Add("add_answer_p99_ms", "  API call → its answer (p99)", Stats.Percentile(answers, 99), "ms");
        report.Detail("add_ms_samples", Report.Samples(firsts, 2));
        report.Detail("add_answer_ms_samples", Report.Samples(answers, 2));
    }

    /// <summary>PUT /api/settings from no forwards to the largest size: "full" with routerd's
    /// table deleted first (the whole ruleset and the map are loaded, as at a start or after a
    /// ruleset change), "map only" with the ruleset in place.</summary>
    static async Task Apply(ForwardPath path, Report report)
    {
        int big = Sizes[^1];
        var full = new List<double>();
        var mapOnly = new List<double>();
        for (int i = 0; i < ApplyRuns; i++)
        {
            await path.Put(ForwardPath.NoForwards);
            path.Bench.InRouter("nft delete table inet routerd");
            full.Add(await path.Put(big));
            path.VerifyMap(big);
            await path.Put(ForwardPath.NoForwards);
            mapOnly.Add(await path.Put(big));
        }
        path.VerifyMap(big);
        report.Add("apply_10k_ms", $"full apply of {big:N0} forwarded ports: PUT /api/settings → answer, whole ruleset + map (median of {ApplyRuns})", Stats.Median(full), "ms", Target.Max(500));
        report.Add("apply_10k_map_ms", "  the same with the ruleset in place: the map alone", Stats.Median(mapOnly), "ms");
        if (path.IptablesRestoreMs.Count > 0)
            report.Add("iptables_apply_10k_ms", $"  for comparison: iptables-legacy-restore of the {big:N0}-rule chain (a process in the namespace; median)", Stats.Median(path.IptablesRestoreMs), "ms");
        report.Detail("apply_10k_ms_samples", Report.Samples(full, 1));
        report.Detail("apply_10k_map_ms_samples", Report.Samples(mapOnly, 1));
    }
}

/// <summary>Moves the lab's router between routerd with N forwarded ports (through PUT
/// /api/settings) and the iptables chain with N rules (routerd stopped), checks that each set-up
/// holds what it claims, and flushes conntrack before it is measured.</summary>
sealed class ForwardPath
{
    public const int NoForwards = 0;
    const int ServerPort = ForwardBench.ServerPort, MeasuredWanPort = ForwardBench.MeasuredWanPort;

    readonly JsonObject baseSettings;
    readonly string phoneIp;
    /// <summary>The WAN address as routerd last held it: the iptables rules are written for it.</summary>
    string wanIp;
    bool running = true;

    public BenchLab Bench { get; }
    public string PhoneMac { get; }
    public string IspNs => Bench.Lab.IspNs;
    /// <summary>PUT /api/settings → answer, by "from → to" forwarded ports.</summary>
    public Dictionary<string, List<double>> InstallMs { get; } = [];
    /// <summary>iptables-legacy-restore of the largest chain, as a process in the namespace.</summary>
    public List<double> IptablesRestoreMs { get; } = [];
    int installed = -1;

    ForwardPath(BenchLab bench, JsonObject baseSettings, string phoneIp)
    {
        Bench = bench;
        wanIp = bench.WanIp();
        this.baseSettings = baseSettings;
        this.phoneIp = phoneIp;
        PhoneMac = bench.Lab.Phone.Mac;
    }

    public static async Task<ForwardPath> Create(BenchLab bench)
    {
        var settings = (JsonObject)await bench.Api.GetJson("/api/settings");
        string phone = bench.Lab.LeaseOf(bench.Lab.Phone)?.Address ?? throw new InvalidOperationException("the phone has no lease");
        // Register the legacy tables now (empty, policy accept): their hooks then stay for the
        // whole run, and routerd's set-ups pass them as the iptables set-ups do.
        Restore(bench, ForwardLayout.IptablesRestore("wan0", "0.0.0.0", "br-lan", LabAddresses.LanSubnet, []));
        return new ForwardPath(bench, settings, phone);
    }

    /// <summary>One forward as the API takes it; id 0 lets the router assign one (POST).</summary>
    public static JsonObject Forward(int id, int wanStart, int wanEnd, string mac, int? lanPort, string description)
    {
        var f = new JsonObject
        {
            ["protocol"] = "tcp",
            ["wanPort"] = wanStart,
            ["wanPortEnd"] = wanEnd == wanStart ? null : wanEnd,
            ["mac"] = mac,
            ["lanPort"] = lanPort,
            ["enabled"] = true,
            ["description"] = description,
        };
        if (id > 0) f["id"] = id;
        return f;
    }

    IReadOnlyList<ForwardLayout.PortRange> Fillers(int elements) =>
        elements == NoForwards ? [] : ForwardLayout.Ranges(ForwardBench.FillerFirst, elements - 1, ForwardLayout.FillerForwards(elements, ForwardRules.MaxForwards));

    JsonArray Forwards(int elements)
    {
        var list = new JsonArray();
        if (elements == NoForwards) return list;
        list.Add(Forward(1, MeasuredWanPort, MeasuredWanPort, PhoneMac, ServerPort, "measured"));
        int id = 2;
        foreach (var r in Fillers(elements))
            list.Add(Forward(id++, r.Start, r.End, PhoneMac, null, "filler"));
        return list;
    }

    /// <summary>routerd with <paramref name="elements"/> forwarded ports (started again if it was
    /// stopped), checked and ready to measure; returns the measured forward's address.</summary>
    public async Task<IPEndPoint> Routerd(int elements)
    {
        if (!running)
        {
            Restore(Bench, ForwardLayout.IptablesRestore("wan0", "0.0.0.0", "br-lan", LabAddresses.LanSubnet, []));
            await Bench.RestartRouterd(ForwardBench.Settle);
            running = true;
            installed = -1;
            wanIp = Bench.WanIp();
        }
        if (installed != elements) await Put(elements);
        VerifyMap(elements);
        return Ready($"routerd, {elements} forwarded port(s)");
    }

    /// <summary>PUT /api/settings with <paramref name="elements"/> forwarded ports; returns the
    /// milliseconds to its answer (the forwards are applied by then).</summary>
    public async Task<double> Put(int elements)
    {
        var s = (JsonObject)baseSettings.DeepClone();
        s["forwards"] = Forwards(elements);
        var clock = Stopwatch.StartNew();
        await Bench.Put("/api/settings", s);
        double ms = clock.Elapsed.TotalMilliseconds;
        string key = $"{(installed < 0 ? "?" : installed.ToString(CultureInfo.InvariantCulture))}_to_{elements}";
        if (!InstallMs.TryGetValue(key, out var list)) InstallMs[key] = list = [];
        list.Add(ms);
        installed = elements;
        return ms;
    }

    /// <summary>The map holds one element per forwarded port: each forward reached the phone.
    /// (An element reads "tcp . 40000 : 192.168.1.57 . 7200"; the map's type line has " : i".)</summary>
    public void VerifyMap(int elements)
    {
        int count = -1;
        try
        {
            Bench.Lab.WaitFor(() =>
            {
                var r = Bench.Lab.RunIn(Bench.Lab.RouterNs, $"nft list map inet {NftRenderer.TableName} {ForwardMap.MapName} | grep -o ' : [0-9]' | wc -l");
                return r.Ok && int.TryParse(r.Stdout.Trim(), out count) && count == elements;
            }, TimeSpan.FromSeconds(15), $"routerd's forward map to hold {elements} element(s)").GetAwaiter().GetResult();
        }
        catch (TimeoutException e) { throw new InvalidOperationException($"routerd's forward map holds {count} element(s), not {elements}: {e.Message}"); }
    }

    /// <summary>routerd stopped (its table and queues removed) and the chain of
    /// <paramref name="elements"/> DNAT rules loaded; returns the measured forward's address.</summary>
    public IPEndPoint Iptables(int elements)
    {
        if (running)
        {
            Bench.StopRouterdAndClear();
            running = false;
            installed = -1;
        }
        var chain = ForwardLayout.Chain(Fillers(elements), phoneIp, new ForwardLayout.Dnat(MeasuredWanPort, phoneIp, ServerPort));
        var clock = Stopwatch.StartNew();
        Restore(Bench, ForwardLayout.IptablesRestore("wan0", wanIp, "br-lan", LabAddresses.LanSubnet, chain));
        if (elements == ForwardBench.Sizes[^1]) IptablesRestoreMs.Add(clock.Elapsed.TotalMilliseconds);
        var listed = Bench.InRouter($"iptables-legacy -t nat -S {ForwardLayout.ChainName} | grep -c -- '-j DNAT'").Trim();
        if (listed != elements.ToString(CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"the iptables chain holds {listed} DNAT rules, not {elements}");
        return Ready($"iptables, {elements} rule(s)");
    }

    static void Restore(BenchLab bench, string rules)
    {
        string file = Path.Combine(bench.Lab.Dir, "iptables.rules");
        File.WriteAllText(file, rules);
        bench.InRouter($"iptables-legacy-restore < {file}");
    }

    /// <summary>conntrack emptied (every set-up starts from the same table), and one exchange
    /// through the measured forward works.</summary>
    IPEndPoint Ready(string what)
    {
        Bench.InRouter("conntrack -F >/dev/null 2>&1; true");
        var to = new IPEndPoint(IPAddress.Parse(wanIp), MeasuredWanPort);
        if (!ConnClient.Works(IspNs, to))
            throw new InvalidOperationException($"{what}: no connection through {to} to the phone's server");
        return to;
    }
}
