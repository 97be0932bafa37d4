using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Routerd.WebUi;

/// <summary>Serves the browser app from resources embedded in the binary: the router needs no
/// files on disk and no network to show its UI.</summary>
public static class StaticAssets
{
    static readonly Assembly Self = typeof(StaticAssets).Assembly;

    static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".json"] = "application/json",
        [".ico"] = "image/x-icon",
    };

    public static void UseEmbeddedAssets(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "/";
            if (!HttpMethods.IsGet(context.Request.Method) || path.StartsWith("/api/", StringComparison.Ordinal))
            {
                await next(context);
                return;
            }
            if (path == "/") path = "/index.html";
            await using var stream = Self.GetManifestResourceStream("wwwroot" + path);
            if (stream is null || !ContentTypes.TryGetValue(Path.GetExtension(path), out var type))
            {
                await next(context);
                return;
            }
            // Security headers (CSP, nosniff...) come from Auth/SecurityHeaders, on every response.
            context.Response.ContentType = type;
            await stream.CopyToAsync(context.Response.Body);
        });
    }
}
