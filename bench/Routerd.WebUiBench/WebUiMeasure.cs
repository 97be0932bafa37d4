using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Routerd.Lab;

namespace Routerd.WebUiBench;

/// <summary>The inner half, run inside a LAN client's namespace: logs in like the UI does (the
/// first-boot password change included), measures what a first visit downloads, times the device
/// list and the devices' week of usage, and reads routerd's RSS from /proc around 10k requests.</summary>
static partial class WebUiMeasure
{
    const int Warmup = 500;
    const int Requests = 10_000;
    /// <summary>The admin password the outer half's axe sweep set; unset, the router is still at admin/admin.</summary>
    public const string PasswordVariable = "ROUTERD_BENCH_PASSWORD";

    public static async Task<JsonObject> Run(Uri router, int routerdPid)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            CookieContainer = new CookieContainer(),
            MaxConnectionsPerServer = 1,
        })
        { BaseAddress = router, Timeout = TimeSpan.FromSeconds(20) };

        long firstLoad = await FirstLoad.Bytes(http);
        long allAssets = await FirstLoad.AllAssetsBytes(http, Path.Combine(RouterdCommand.RepoRoot(), "webui", "Routerd.WebUi", "wwwroot"));
        bool session = await LogIn(http);

        for (int i = 0; i < Warmup; i++) await Get(http, "api/devices");
        await Task.Delay(1000);
        double rssBefore = RssMb(routerdPid);
        var ms = new double[Requests];
        for (int i = 0; i < Requests; i++)
        {
            var sw = Stopwatch.StartNew();
            await Get(http, "api/devices");
            ms[i] = sw.Elapsed.TotalMilliseconds;
        }
        await Task.Delay(1000);
        double rssAfter = RssMb(routerdPid);
        Array.Sort(ms);
        // A week of one device's hours (168 per direction), each request another device's.
        var usage = new double[2000];
        for (int i = 0; i < usage.Length; i++)
        {
            var sw = Stopwatch.StartNew();
            await Get(http, $"api/devices/{WebUiBench.Mac(i % WebUiBench.Devices)}/usage");
            usage[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(usage);
        // The same loop against the smallest answer routerd has (the session; status without sessions): what this machine's scheduling
        // alone adds to a request's tail, to read the device list's p99 against.
        var floor = new double[2000];
        for (int i = 0; i < floor.Length; i++)
        {
            var sw = Stopwatch.StartNew();
            await Get(http, session ? "api/session" : "api/status");
            floor[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(floor);

        return new JsonObject
        {
            ["first_load_bytes"] = firstLoad,
            ["all_assets_bytes"] = allAssets,
            ["api_p50_ms"] = Math.Round(Percentile(ms, 0.50), 3),
            ["api_p99_ms"] = Math.Round(Percentile(ms, 0.99), 3),
            ["api_max_ms"] = Math.Round(ms[^1], 3),
            ["usage_p50_ms"] = Math.Round(Percentile(usage, 0.50), 3),
            ["usage_p99_ms"] = Math.Round(Percentile(usage, 0.99), 3),
            ["baseline_p50_ms"] = Math.Round(Percentile(floor, 0.50), 3),
            ["baseline_p99_ms"] = Math.Round(Percentile(floor, 0.99), 3),
            ["rss_before_mb"] = Math.Round(rssBefore, 2),
            ["rss_after_mb"] = Math.Round(rssAfter, 2),
            ["rss_growth_mb"] = Math.Round(rssAfter - rssBefore, 2),
            ["requests"] = Requests,
            ["session"] = session,
        };
    }

    static async Task Get(HttpClient http, string path)
    {
        using var r = await http.GetAsync(path);
        await r.Content.ReadAsByteArrayAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path} → {(int)r.StatusCode}");
    }

    /// <summary>Logs in as the UI does (changing the password if the router still asks for it); false when this routerd offers no sessions (the API is
    /// then open to the LAN and measured as it is).</summary>
    static async Task<bool> LogIn(HttpClient http)
    {
        string current = Environment.GetEnvironmentVariable(PasswordVariable) ?? "admin";
        using var login = await http.PostAsJsonAsync("api/session", new JsonObject { ["username"] = "admin", ["password"] = current });
        if (login.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed) return false;
        var session = await Json(login, "POST /api/session");
        UseCsrf(http, session);
        if ((bool?)session["mustChangePassword"] == true)
        {
            string password = $"bench-{Guid.NewGuid():N}";
            using var change = await http.PutAsJsonAsync("api/admin/password", new JsonObject { ["current"] = current, ["new"] = password, ["confirm"] = password });
            if (!change.IsSuccessStatusCode) throw new InvalidOperationException($"PUT /api/admin/password → {(int)change.StatusCode}: {await change.Content.ReadAsStringAsync()}");
            using var again = await http.GetAsync("api/session");
            if (again.StatusCode == HttpStatusCode.Unauthorized)
            {
                using var relogin = await http.PostAsJsonAsync("api/session", new JsonObject { ["username"] = "admin", ["password"] = password });
                UseCsrf(http, await Json(relogin, "POST /api/session (new password)"));
            }
            else UseCsrf(http, await Json(again, "GET /api/session"));
        }
        return true;
    }

    static void UseCsrf(HttpClient http, JsonNode session)
    {
        http.DefaultRequestHeaders.Remove("X-CSRF-Token");
        http.DefaultRequestHeaders.Add("X-CSRF-Token", (string?)session["csrfToken"] ?? "");
    }

    static async Task<JsonNode> Json(HttpResponseMessage r, string what)
    {
        string body = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{what} → {(int)r.StatusCode}: {body}");
        return JsonNode.Parse(body) ?? throw new InvalidOperationException($"{what}: empty answer");
    }

    static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    static double RssMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(Digits().Match(line).Value, System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}
