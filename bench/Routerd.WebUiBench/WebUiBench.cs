using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Routerd.Lab;

namespace Routerd.WebUiBench;

/// <summary>The outer half: the lab, the 250 devices, the measuring process in the phone's
/// namespace, the table and bench/results/webui.json.</summary>
static class WebUiBench
{
    public const int Devices = 250;
    static readonly TimeSpan Ready = TimeSpan.FromSeconds(60);

    /// <summary><paramref name="axeOnly"/>: only the accessibility sweep on a fresh lab (no devices,
    /// no timings, no results file): the short run that checks the axe part alone.</summary>
    public static async Task<int> Run(RouterdCommand routerd, string resultsDir, bool axeOnly)
    {
        using var lab = Lab.Lab.Create(new LabOptions { Routerd = routerd, Log = m => Console.Error.WriteLine($"lab: {m}") });
        using var api = new RouterdApi(lab.ControlSocket);
        await lab.WaitFor(async () => (await api.GetJson("/api/status"))["wan"]?["address"] is not null, Ready, "routerd's WAN to get an address");
        await lab.WaitForLeases(Ready);
        // The sweep meets the fresh router's login and forced password change, and sets this
        // password; the measuring process logs in with it (handed over in its environment, not
        // on its command line).
        string password = $"bench-{Guid.NewGuid():N}";
        if (axeOnly)
        {
            var only = await AxePass.Run(lab, password);
            Console.WriteLine($"{"axe-core serious+critical violations",-40} {only.Serious.Count,12}  {"= 0",10}  {(only.Serious.Count == 0 ? "ok" : "MISSED")}  ({only.Checked.Count} pages)");
            return 0;
        }

        Console.Error.WriteLine($"bench: naming {Devices} devices over the control socket");
        for (int i = 0; i < Devices; i++)
        {
            string mac = Mac(i);
            using var r = await api.Post("/api/devices", new JsonObject { ["mac"] = mac, ["name"] = $"device {i}" });
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST /api/devices {mac} → {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        }
        int listed = (await api.GetJson("/api/devices")).AsArray().Count;
        if (listed < Devices) throw new InvalidOperationException($"the device list has {listed} devices, expected at least {Devices}");

        // A week of history for every device, as a routerd that ran for seven days would have
        // kept it in state/usage.json: written while routerd is stopped (its stop writes the file).
        Console.Error.WriteLine($"bench: giving the {Devices} devices 7 days of hourly usage (restarting routerd)");
        lab.StopRouterd();
        WriteWeekOfUsage(Path.Combine(lab.StateDir, "usage.json"));
        lab.StartRouterd();
        await lab.WaitFor(async () => { try { return (await api.GetJson("/api/devices")).AsArray().Count >= Devices; } catch (HttpRequestException) { return false; } },
            Ready, "the restarted routerd's device list");
        long week = (await api.GetJson($"/api/devices/{Mac(Devices - 1)}/usage"))["downloadTotal"]!.GetValue<long>();
        if (week <= 0) throw new InvalidOperationException("the restarted routerd did not read the usage history back");

        // With 250 devices and a week of history, as the owner's pages would show them.
        var axe = await AxePass.Run(lab, password);
        Environment.SetEnvironmentVariable(WebUiMeasure.PasswordVariable, password);

        var self = Environment.ProcessPath is { } exe && !exe.EndsWith("/dotnet", StringComparison.Ordinal)
            ? new[] { exe } : ["dotnet", typeof(WebUiBench).Assembly.Location];
        string[] argv = ["ip", "netns", "exec", lab.Phone.Namespace, .. self, "measure", "--url", $"http://{LabAddresses.RouterLan}/", "--pid", lab.Routerd!.Pid.ToString(CultureInfo.InvariantCulture)];
        Console.Error.WriteLine($"bench: measuring from the phone ({lab.Phone.Namespace})");
        var run = CommandResult.Run(argv, TimeSpan.FromMinutes(5));
        if (!run.Ok) throw new InvalidOperationException($"the measurement failed: {run}\n{lab.Describe()}");
        var result = JsonNode.Parse(run.Stdout)!.AsObject();
        result["devices"] = listed;
        result["axe_serious"] = axe.Serious.Count;
        result["axe_pages"] = axe.Checked.Count;
        result["routerd"] = routerd.Binary;
        // Latency on a shared 2-core machine depends on what else runs: the load says how busy it was.
        result["load_average"] = File.ReadAllText("/proc/loadavg").Split(' ')[0];

        Print(result);
        Directory.CreateDirectory(resultsDir);
        string file = Path.Combine(resultsDir, "webui.json");
        File.WriteAllText(file, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine($"\nwritten: {file}");
        return 0;
    }

    /// <summary>The bench's device i (the inner half asks for the same ones).</summary>
    public static string Mac(int i) => $"02:00:00:aa:{i / 256:x2}:{i % 256:x2}";

    static void WriteWeekOfUsage(string path)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 3600;
        var hours = new JsonArray();
        for (int i = 0; i < Devices; i++)
            for (long h = now - 167; h <= now; h++)
                hours.Add(new JsonArray(Mac(i), h, 1_000_000 + i * 1000 + h % 97, 50_000_000 + i * 10_000 + h % 89));
        File.WriteAllText(path, new JsonObject { ["version"] = 1, ["hours"] = hours }.ToJsonString());
    }

    static readonly (string Key, string Label, string Unit, double? Max)[] Rows =
    [
        ("first_load_bytes", "first load (login view), transferred", "B", 150 * 1024),
        ("all_assets_bytes", "every asset of the app, transferred", "B", null),
        ("api_p50_ms", "GET /api/devices p50", "ms", null),
        ("api_p99_ms", "GET /api/devices p99", "ms", 5),
        ("usage_p50_ms", "GET /api/devices/{mac}/usage p50", "ms", null),
        ("usage_p99_ms", "GET /api/devices/{mac}/usage p99", "ms", 5),
        ("baseline_p50_ms", "GET /api/session p50 (noise floor)", "ms", null),
        ("baseline_p99_ms", "GET /api/session p99 (noise floor)", "ms", null),
        ("rss_before_mb", "routerd RSS before", "MB", null),
        ("rss_after_mb", "routerd RSS after 10k requests", "MB", null),
        ("rss_growth_mb", "RSS growth", "MB", 5),
        ("axe_serious", "axe-core serious+critical violations", "", 0),
    ];

    static void Print(JsonObject r)
    {
        Console.WriteLine($"webui benchmark: {r["devices"]} devices, {r["requests"]} requests, sessions {(bool?)r["session"] switch { true => "on", _ => "not offered by this routerd" }}, load average {r["load_average"]}, axe-core over {r["axe_pages"]} pages");
        Console.WriteLine($"{"what",-40} {"value",12}  {"target",10}  ");
        foreach (var (key, label, unit, max) in Rows)
        {
            // Integers (axe_serious) and fractions alike: the value as JSON wrote it.
            double v = double.Parse(r[key]!.ToJsonString(), CultureInfo.InvariantCulture);
            string shown = unit switch { "B" => $"{v / 1024:0.0} KB", "" => $"{v:0}", _ => $"{v:0.00} {unit}" };
            string target = max is { } m ? unit switch { "B" => $"≤ {m / 1024:0} KB", "" => $"≤ {m:0}", _ => $"≤ {m:0} {unit}" } : "";
            string verdict = max is { } limit ? (v <= limit ? "ok" : "MISSED") : "";
            Console.WriteLine($"{label,-40} {shown,12}  {target,10}  {verdict}");
        }
    }
}
