using Microsoft.AspNetCore.Http;

namespace Routerd.WebUi.Auth;

/// <summary>Headers every response carries: no inline script or foreign origin (so a hostname a
/// device sent us can never run as code), no framing, no MIME sniffing, no referrer, and API
/// answers that no cache keeps.</summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static void Apply(HttpContext context)
    {
        var h = context.Response.Headers;
        h.ContentSecurityPolicy = ContentSecurityPolicy;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h["Cross-Origin-Opener-Policy"] = "same-origin";
        if (context.Request.Path.StartsWithSegments("/api")) h.CacheControl = "no-store";
    }
}
