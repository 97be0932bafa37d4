using System.Text.RegularExpressions;

namespace Routerd.WebUiBench;

/// <summary>What a browser transfers on its first visit: the page, what it links (stylesheet,
/// icon, the app module), every module those import, and the login view the shell loads first
/// when nobody is logged in. Requested as a browser would (compression accepted); counted as
/// received on the wire: status line, headers and body.</summary>
static partial class FirstLoad
{
    /// <summary>The view the shell imports on a first visit (app.js: showLogin).</summary>
    const string FirstView = "/pages/login.js";

    public static async Task<long> Bytes(HttpClient http)
    {
        var seen = new HashSet<string>();
        long total = 0;
        var queue = new Queue<string>(["/", FirstView]);
        while (queue.TryDequeue(out var path))
        {
            if (!seen.Add(path)) continue;
            var (bytes, text) = await Fetch(http, path);
            total += bytes;
            var links = path == "/" ? HtmlLinks().Matches(text) : path.EndsWith(".js", StringComparison.Ordinal) ? Imports().Matches(text) : null;
            foreach (Match m in links ?? (IEnumerable<Match>)[])
                queue.Enqueue(new Uri(new Uri("http://x" + path), m.Groups["url"].Value).AbsolutePath);
        }
        return total;
    }

    /// <summary>Every file of the app (what a visit to every page would add up to at most).</summary>
    public static async Task<long> AllAssetsBytes(HttpClient http, string wwwroot)
    {
        long total = 0;
        foreach (var file in Directory.EnumerateFiles(wwwroot, "*", SearchOption.AllDirectories))
            total += (await Fetch(http, "/" + Path.GetRelativePath(wwwroot, file).Replace('\\', '/'))).Bytes;
        return total;
    }

    static async Task<(long Bytes, string Text)> Fetch(HttpClient http, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate, br");
        using var r = await http.SendAsync(request);
        var body = await r.Content.ReadAsByteArrayAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path} → {(int)r.StatusCode}");
        long headers = $"HTTP/1.1 {(int)r.StatusCode} {r.ReasonPhrase}\r\n".Length + 2 +
            r.Headers.Concat(r.Content.Headers).Sum(h => h.Key.Length + 2 + string.Join(", ", h.Value).Length + 2);
        bool compressed = r.Content.Headers.ContentEncoding.Count > 0;
        return (headers + body.Length, compressed ? "" : System.Text.Encoding.UTF8.GetString(body));
    }

    [GeneratedRegex(@"(?:href|src)=""(?<url>/[^""]*)""")]
    private static partial Regex HtmlLinks();

    /// <summary>Static imports: `import x from './y.js'`, `import './y.js'`, `export ... from './y.js'`.</summary>
    [GeneratedRegex("""(?:^|\s)(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"](?<url>\.{1,2}/[^'"]+)['"]""", RegexOptions.Multiline)]
    private static partial Regex Imports();
}
