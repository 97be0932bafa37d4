using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Diagnostics;
using Routerd.Core.Logs;
using Routerd.Core.Loop;
using Routerd.Core.Settings;

namespace Routerd.WebUi;

/// <summary>The log viewer: GET /api/logs (the newest matching lines as JSON) and GET
/// /api/logs/download (the same as a text file, more lines), filtered by source and least level.
/// The router's secrets are replaced in every line, including secrets changed since start.</summary>
public static class LogEndpoints
{
    public const string Route = "/api/logs", DownloadRoute = "/api/logs/download";

    public static void MapLogApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        // Secrets of this run, the current ones and those replaced since: a line logged before a
        // change may hold the old one. In memory only.
        var seen = new HashSet<string>(StringComparer.Ordinal);

        app.MapGet(Route, (HttpRequest request) =>
            Read(api, request, LogRules.MaxLines, seen) is var (view, refusal) && view is not null
                ? Results.Json(view, DiagnosticsJsonContext.Default.LogView)
                : refusal!);

        app.MapGet(DownloadRoute, (HttpRequest request) =>
        {
            var (view, refusal) = Read(api, request, LogRules.MaxDownloadLines, seen);
            if (view is null) return refusal!;
            string name = $"router-log-{DateTime.UtcNow.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture)}.txt";
            return Results.File(System.Text.Encoding.UTF8.GetBytes(LogRules.Text(view)), "text/plain; charset=utf-8", name);
        });
    }

    static (LogView? View, IResult? Refusal) Read(RouterApi api, HttpRequest request, int maxLines, HashSet<string> seen)
    {
        var errors = new List<FieldError>();
        int? lines = null;
        string? linesText = request.Query["lines"];
        if (!string.IsNullOrEmpty(linesText))
        {
            if (int.TryParse(linesText, NumberStyles.None, CultureInfo.InvariantCulture, out int n)) lines = n;
            else errors.Add(new("lines", $"must be a whole number from 1 to {maxLines}"));
        }
        var query = LogRules.Check(request.Query["source"], request.Query["level"], lines ?? (errors.Count > 0 ? 1 : null), maxLines, errors);
        if (query is null || errors.Count > 0)
            return (null, Results.Json(new ApiError("invalid log request", "request/INVALID", errors), RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status400BadRequest));
        if (api.Logs is not { } logs)
            return (null, Results.Json(new ApiError("the logs cannot be read on this router", "logs/UNAVAILABLE"), RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status501NotImplemented));
        string[] secrets;
        lock (seen)
        {
            var s = api.Router.Settings;
            foreach (var secret in new[] { s.Wan.Pppoe?.Password, s.Wifi.Passphrase, s.Wifi.Guest?.Passphrase })
                if (!string.IsNullOrEmpty(secret)) seen.Add(secret);
            secrets = [.. seen];
        }
        return (LogRules.Select(logs.Read(query.Sources), query, secrets), null);
    }
}
