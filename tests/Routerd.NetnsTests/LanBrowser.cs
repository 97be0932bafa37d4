using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>One answer of the web API as a LAN client received it.</summary>
sealed record WebAnswer(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body, RouterdApi.NodeOptions);
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
    public override string ToString() => $"{Status} {Body}";
}

/// <summary>A browser on a LAN client: curl run inside the client's namespace, so requests reach
/// the router's web listener over the LAN exactly as a phone's would, with a cookie jar per
/// browser (cookies are kept per host, as a real browser keeps them).</summary>
sealed class LanBrowser(Lab.Lab lab, LabClient client)
{
    public const string KnownPassword = "lab-password-1";
    // Inside the lab's directory: removed with the lab.
    readonly string dir = Directory.CreateDirectory(Path.Combine(lab.Dir, $"browser-{client.Name}-{Guid.NewGuid():N}")).FullName;
    string Jar => Path.Combine(dir, "cookies");
    /// <summary>This browser's cookie jar, for a test that sends a hand-made request with its session.</summary>
    public string CookieJar => Jar;

    /// <summary>The CSRF token of the last login or session check.</summary>
    public string? Csrf { get; set; }
    public string Host { get; set; } = LabAddresses.RouterLan;
    /// <summary>curl's limit per request (the image tier's TCG guests hash passwords slowly).</summary>
    public int MaxTimeSeconds { get; set; } = 15;

    public async Task<WebAnswer> Send(string method, string path, JsonNode? body = null, string? csrf = null, bool sendCsrf = true, string? host = null, string? binaryFile = null)
    {
        string id = Guid.NewGuid().ToString("N");
        string bodyFile = Path.Combine(dir, id + ".req"), outFile = Path.Combine(dir, id + ".out"), headFile = Path.Combine(dir, id + ".head");
        var args = new List<string> { "curl", "-sS", "--max-time", MaxTimeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-X", method, "-b", Jar, "-c", Jar, "-o", outFile, "-D", headFile, "-w", "%{http_code}" };
        if (body is not null)
        {
            await File.WriteAllTextAsync(bodyFile, body.ToJsonString());
            args.AddRange(["-H", "'Content-Type: application/json'", "--data-binary", "@" + bodyFile]);
        }
        // A file as the raw body (a firmware bundle), streamed by curl rather than read into memory.
        if (binaryFile is not null) args.AddRange(["-H", "'Content-Type: application/octet-stream'", "-T", binaryFile]);
        if (sendCsrf && (csrf ?? Csrf) is { } token) args.AddRange(["-H", $"'X-CSRF-Token: {token}'"]);
        args.Add($"http://{host ?? Host}{path}");
        var r = await Task.Run(() => lab.RunIn(client.Namespace, string.Join(' ', args), TimeSpan.FromSeconds(MaxTimeSeconds + 5)));
        if (!r.Ok) throw new HttpRequestException($"{method} {path} from {client.Name}: {r}\n{lab.Describe()}");
        var headers = File.ReadAllLines(headFile).Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return new WebAnswer(int.Parse(r.Stdout.Trim()), headers, File.Exists(outFile) ? await File.ReadAllTextAsync(outFile) : "");
    }

    public Task<WebAnswer> Get(string path, string? host = null) => Send("GET", path, host: host);

    public async Task<WebAnswer> Login(string password, string username = "admin", string? host = null)
    {
        var a = await Send("POST", "/api/session", new JsonObject { ["username"] = username, ["password"] = password }, sendCsrf: false, host: host);
        if (a.Status == 200) Csrf = (string?)a.Json!["csrfToken"];
        return a;
    }

    /// <summary>Logged in with <see cref="KnownPassword"/>, changing the first-boot password to it if
    /// the router is fresh (tests of one lab share the router, so any may run first).</summary>
    public async Task LogIn()
    {
        var a = await Login(KnownPassword);
        if (a.Status == 200) return;
        Assert.True(a.Status == 401, $"login: {a}");
        a = await Login("admin");
        Assert.True(a.Status == 200 && (bool)a.Json!["mustChangePassword"]!, $"first-boot login: {a}");
        var changed = await ChangePassword("admin", KnownPassword, KnownPassword);
        Assert.True(changed.Status == 204, $"password change: {changed}");
    }

    public Task<WebAnswer> ChangePassword(string current, string next, string confirm) =>
        Send("PUT", "/api/admin/password", new JsonObject { ["current"] = current, ["new"] = next, ["confirm"] = confirm });

    public void Forget()
    {
        File.Delete(Jar);
        Csrf = null;
    }
}
