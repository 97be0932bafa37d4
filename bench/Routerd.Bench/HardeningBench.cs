using System.Globalization;
using System.Text.Json.Nodes;
using Routerd.Lab;

namespace Routerd.Bench;

/// <summary>`bench hardening` (issue 18): the attack suite's two measured probes against the AOT
/// routerd in the lab — extra guesses from 25 parallel logins, RSS growth under hostile
/// unauthenticated bodies — plus the unit tier's corruption corpus and fuzzing figures, which
/// build.sh runs first (long fuzz run) and hands over as key=value lines (--unit FILE).
/// Power cuts in the lab VM and the 250-client load are not measured here yet.</summary>
static class HardeningBench
{
    const int FreeFailures = 3, Burst = 25, Bodies = 20;
    const string Password = "bench-password-1";

    public static async Task<Report> Run(BenchOptions o, string? unitFile)
    {
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
        Unit(unitFile, report);
        return report;
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
        double idle = RssMb(pid);
        string big = Path.Combine(lab.Dir, "25mb.bin");
        using (var f = File.Create(big)) f.SetLength(25 * 1024 * 1024);
        lab.RunIn(lab.Phone.Namespace,
            $"seq {Bodies / 2} | xargs -P {Bodies / 2} -I{{}} {Curl($"-H 'Content-Type: application/json' --data-binary @{big}")} & " +
            $"seq {Bodies / 2} | xargs -P {Bodies / 2} -I{{}} {Curl($"-H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @{big}")}; wait",
            TimeSpan.FromSeconds(180));
        double after = RssMb(pid);
        report.Add("rss_growth_mb_hostile_bodies", $"routerd RSS growth, {Bodies} parallel unauthenticated 25 MB logins (idle {idle:0} MB)", after - idle, "MB", Target.Max(20));
    }

    static double RssMb(int pid) => double.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:"))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;

    /// <summary>The unit tier's figures (tests/Routerd.Tests: StoreCorpus, FuzzTests), written by
    /// build.sh's run of them with ROUTERD_BENCH_OUT.</summary>
    static void Unit(string? file, Report report)
    {
        if (file is null || !File.Exists(file)) throw new InvalidOperationException("no unit-tier figures: run it through ./build.sh bench hardening");
        var values = File.ReadAllLines(file).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Sum(p => double.Parse(p[1], CultureInfo.InvariantCulture)));
        // Failures are written only when they happen; counts always.
        double V(string k) => values.TryGetValue(k, out var v) ? v
            : k.EndsWith("_crashes") || k.EndsWith("_writes") ? 0 : throw new InvalidOperationException($"{k} missing from {file}");
        report.Add("corrupt_store_cases", "corruption corpus cases (cuts, zeroed/random/flipped pages, empty, header; ± good copy)", V("corrupt_store_cases"), "");
        report.Add("corrupt_store_crashes", "  of which crashed the store", V("corrupt_store_crashes"), "", Target.Max(0));
        report.Add("corrupt_store_writes", "  of which wrote into the damaged file", V("corrupt_store_writes"), "", Target.Max(0));
        report.Add("fuzz_execs", "fuzz executions, all targets (CsCheck)", V("fuzz_execs"), "");
        report.Add("fuzz_crashes", "fuzz targets that failed", V("fuzz_crashes"), "", Target.Max(0));
    }
}
