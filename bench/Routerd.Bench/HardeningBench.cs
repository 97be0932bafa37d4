using System.Globalization;
using System.Text.Json.Nodes;
using Routerd.Lab;

namespace Routerd.Bench;

/// <summary>`bench hardening` (issue 18): the attack suite's two measured probes against the AOT
/// routerd in the lab — extra guesses from 25 parallel logins, RSS growth under hostile
/// unauthenticated bodies — plus the unit tier's corruption corpus and fuzzing figures, which
/// build.sh runs first (long fuzz run) and hands over as key=value lines (--unit FILE).
/// The power cuts run in the lab VM before (build.sh: `Routerd.Vm power-cuts`, into the same file);
/// the load — 250 LAN clients leasing at once beside 64k conntrack entries — in a lab of its own here.</summary>
static class HardeningBench
{
    const int FreeFailures = 3, Burst = 25, Bodies = 20;
    const string Password = "bench-password-1";

    public static async Task<Report> Run(BenchOptions o, string? unitFile)
    {
        if (o.LoadOnly)
        {
            // `./build.sh bench hardening --load-only`: the load alone, on a lab of its own (about a
            // minute, where the power cuts and the fuzz run take an hour), into a file of its own
            // (hardening-load.json) so the full run's figures stay whole.
            var load = new Report("hardening-load");
            await Load(o, load);
            return load;
        }
        var report = new Report("hardening");
        using (var lab = Lab.Lab.Create(new LabOptions
        {
            Routerd = RouterdCommand.FromPath(o.Routerd),
            LoginThrottle = (FreeFailures, 60, 120),
            Log = m => Console.Error.WriteLine($"lab: {m}"),
        }))
        {
            using var api = new RouterdApi(lab.ControlSocket);
            await lab.WaitFor(async () => (await api.GetJson("/api/status"))["wan"]?["address"] is not null, TimeSpan.FromSeconds(60), "routerd's WAN");
            await lab.WaitForLeases(TimeSpan.FromSeconds(60));
            using (var set = await api.Put("/api/admin/password", new JsonObject { ["current"] = "admin", ["new"] = Password, ["confirm"] = Password }))
                if (!set.IsSuccessStatusCode) throw new InvalidOperationException($"setting the password: {(int)set.StatusCode}");
            ParallelLogins(lab, report);
            HostileBodies(lab, report);
        }
        await Load(o, report);
        Unit(unitFile, report);
        return report;
    }

    const int LoadClientCount = 250, LoadFlows = 64 * 1024;

    /// <summary>250 clients leasing at once with 64k connections tracked; then the device list's
    /// latency and routerd's RSS with all of them in it (LoadClients, shared with the namespace tier).</summary>
    static async Task Load(BenchOptions o, Report report)
    {
        using var lab = Lab.Lab.Create(new LabOptions { Routerd = RouterdCommand.FromPath(o.Routerd), Log = m => Console.Error.WriteLine($"lab: {m}") });
        using var api = new RouterdApi(lab.ControlSocket);
        await lab.WaitFor(async () => (await api.GetJson("/api/status"))["wan"]?["address"] is not null, TimeSpan.FromSeconds(60), "routerd's WAN");
        await lab.WaitForLeases(TimeSpan.FromSeconds(60));
        var settings = (JsonObject)await api.GetJson("/api/settings");
        settings["lan"]!["dhcp"]!["start"] = LoadClients.PoolStart;
        settings["lan"]!["dhcp"]!["end"] = LoadClients.PoolEnd;
        using (var put = await api.Put("/api/settings", settings))
            if (!put.IsSuccessStatusCode) throw new InvalidOperationException($"widening the DHCP pool: {(int)put.StatusCode}");
        int tracked = LoadClients.FillConntrack(lab, LoadFlows);
        var (leased, took) = LoadClients.TakeLeases(lab, LoadClientCount, TimeSpan.FromSeconds(180));
        await Task.Delay(3000); // the lease file's last changes reach the device list
        int pid = lab.PidsOf(lab.RouterNs, "routerd").Single();
        // Where routerd's memory is before the reads, after the first 200 (what the namespace
        // tier's LoadTests reads) and after all of them: memory that grows with the reads shows here.
        var before = ProcessMemory.Of(pid);
        var first = await LoadClients.DeviceListTimes(api, 200);
        var after200 = ProcessMemory.Of(pid);
        var ms = first.Concat(await LoadClients.DeviceListTimes(api, 1800, warmUp: false)).Order().ToArray();
        var after = ProcessMemory.Of(pid);
        foreach (var (when, m) in new[] { ("before the reads", before), ("after 200", after200), ("after 2000", after) })
            Console.Error.WriteLine($"bench: routerd memory {when}: {m}");
        int listed = (await api.GetJson("/api/devices")).AsArray().Count;
        report.Add("load_clients_leased", $"of {LoadClientCount} LAN clients started at once, leased ({took.TotalSeconds:0.0} s; {tracked} conntrack entries)", leased, "", Target.Min(LoadClientCount));
        report.Add("load_devices_p99_ms", $"GET /api/devices p99 with {listed} devices, 2000 requests (p50 {LoadClients.Percentile(ms, 0.5):0.00} ms)", LoadClients.Percentile(ms, 0.99), "ms", Target.Max(50));
        report.Add("load_rss_mb", "routerd RSS with them all", LoadClients.RssMb(pid), "MB", Target.Max(40));
        report.Detail("load_rss_mb_after_200", after200.Rss.ToString("0.0", CultureInfo.InvariantCulture));
        report.Detail("load_memory_after_2000", after.ToString());
        report.Detail("load_conntrack_entries", tracked.ToString(CultureInfo.InvariantCulture));
    }

    static string Curl(string args) => $"curl -s --max-time 60 -o /dev/null -w '%{{http_code}}\\n' {args} http://{LabAddresses.RouterLan}/api/session";

    static void ParallelLogins(Lab.Lab lab, Report report)
    {
        string body = Path.Combine(lab.Dir, "wrong.json");
        File.WriteAllText(body, """{"username":"admin","password":"wrong-password"}""");
        int before = FailedLines(lab);
        var r = lab.RunIn(lab.Laptop.Namespace, $"seq {Burst} | xargs -P {Burst} -I{{}} {Curl($"-H 'Content-Type: application/json' --data-binary @{body}")}", TimeSpan.FromSeconds(120));
        Thread.Sleep(500);
        int checkedPasswords = FailedLines(lab) - before;
        report.Add("parallel_login_extra_guesses", $"{Burst} parallel wrong logins from one address: passwords checked beyond the sequential {FreeFailures + 1}",
            Math.Max(0, checkedPasswords - (FreeFailures + 1)), "", Target.Max(0));
        report.Detail("parallel_login_answers", string.Join(",", r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(c => c).Select(g => $"{g.Count()}x{g.Key}")));
    }

    static int FailedLines(Lab.Lab lab) => lab.Routerd!.Output.Split('\n').Count(l => l.Contains("web login failed"));

    static void HostileBodies(Lab.Lab lab, Report report)
    {
        int pid = lab.PidsOf(lab.RouterNs, "routerd").Single();
        lab.RunIn(lab.Phone.Namespace, $"curl -s -o /dev/null http://{LabAddresses.RouterLan}/");
        Thread.Sleep(1000);
        double idle = LoadClients.RssMb(pid);
        string big = Path.Combine(lab.Dir, "25mb.bin");
        using (var f = File.Create(big)) f.SetLength(25 * 1024 * 1024);
        lab.RunIn(lab.Phone.Namespace,
            $"seq {Bodies / 2} | xargs -P {Bodies / 2} -I{{}} {Curl($"-H 'Content-Type: application/json' --data-binary @{big}")} & " +
            $"seq {Bodies / 2} | xargs -P {Bodies / 2} -I{{}} {Curl($"-H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @{big}")}; wait",
            TimeSpan.FromSeconds(180));
        double after = LoadClients.RssMb(pid);
        report.Add("rss_growth_mb_hostile_bodies", $"routerd RSS growth, {Bodies} parallel unauthenticated 25 MB logins (idle {idle:0} MB)", after - idle, "MB", Target.Max(20));
    }


    /// <summary>The unit tier's figures (tests/Routerd.Tests: StoreCorpus, FuzzTests), written by
    /// build.sh's run of them with ROUTERD_BENCH_OUT.</summary>
    static void Unit(string? file, Report report)
    {
        if (file is null || !File.Exists(file)) throw new InvalidOperationException("no unit-tier figures: run it through ./build.sh bench hardening");
        var values = File.ReadAllLines(file).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Sum(p => double.Parse(p[1], CultureInfo.InvariantCulture)));
        // Failures are written only when they happen; counts always.
        // The power cuts' figures are missing when the lab VM could not run: NaN in the table, not no table.
        double V(string k) => values.TryGetValue(k, out var v) ? v
            : k.EndsWith("_crashes") || k.EndsWith("_writes") ? 0
            : k.StartsWith("power_cut") ? double.NaN : throw new InvalidOperationException($"{k} missing from {file}");
        report.Add("corrupt_store_cases", "corruption corpus cases (cuts, zeroed/random/flipped pages, empty, header; ± good copy)", V("corrupt_store_cases"), "");
        report.Add("corrupt_store_crashes", "  of which crashed the store", V("corrupt_store_crashes"), "", Target.Max(0));
        report.Add("corrupt_store_writes", "  of which wrote into the damaged file", V("corrupt_store_writes"), "", Target.Max(0));
        report.Add("fuzz_execs", "fuzz executions, all 5 targets (CsCheck; FUZZ_ITER each, 10^6 by default)", V("fuzz_execs"), "");
        report.Add("fuzz_crashes", "fuzz targets that failed", V("fuzz_crashes"), "", Target.Max(0));
        // The lab VM's power cuts (Routerd.Vm power-cuts, run by build.sh before this).
        report.Add("power_cuts", $"power cuts (QEMU killed) during settings changes, {V("power_cut_during_start")} of them while routerd started ({V("power_cut_seconds"):0} s)", V("power_cuts"), "", Target.Min(200));
        report.Add("power_cut_acks", "  settings changes acknowledged between the cuts", V("power_cut_acks"), "");
        report.Add("power_cut_lost_acks", "  boots that held less than the last acknowledged change", V("power_cut_lost_acks"), "", Target.Max(0));
        report.Add("power_cut_failed_boots", "  boots that did not serve, or served without their settings", V("power_cut_failed_boots"), "", Target.Max(0));
    }
}
