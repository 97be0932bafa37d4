using Routerd.Core.Settings;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Routerd.Core.Lan;
using Routerd.Core.Loop;

namespace Routerd.WebUi.Auth;

/// <summary>What every TCP request passes before anything else looks at it, in this order:
/// <list type="number">
/// <item>the Host header names this router (one of its LAN addresses, a pending change's
/// included; its LAN name; localhost through a relay) — else 421: a page from another site that
/// rebinds its own name to the router's address (DNS rebinding) reaches nothing;</item>
/// <item>the body fits the route's limit, known before a byte of it is read — else 413;</item>
/// <item>a state-changing request that carries <c>Origin</c> comes from a page of this router —
/// else 403.</item>
/// </list>
/// The control socket (a root-only unix socket: no remote address) gets the body limits only.</summary>
public static class RequestGate
{
    /// <summary>A login: a user name and a password of at most 128 characters, with room to spare.</summary>
    public const long LoginBodyBytes = 4 * 1024;
    /// <summary>A settings document at the validation's limits (1024 devices, 1024 static leases,
    /// 1,000 port forwards, every name and description at its maximum in characters JSON escapes
    /// as \uXXXX) is 1.3 MB as exported (SettingsDocumentSizeTests): this is also Kestrel's global limit.</summary>
    public const long SettingsBodyBytes = 2 * 1024 * 1024;
    /// <summary>Every other body (a priority, a device, a password change).</summary>
    public const long SmallBodyBytes = 16 * 1024;

    public static long BodyLimit(HttpRequest request) => request.Path.Value switch
    {
        "/api/session" => LoginBodyBytes,
        "/api/settings" or "/api/settings/import" => SettingsBodyBytes,
        FirmwareEndpoints.Route => FirmwareEndpoints.BundleBodyBytes,
        _ => SmallBodyBytes,
    };

    /// <summary>Names the router answers to besides its LAN addresses.</summary>
    public static readonly IReadOnlyList<string> OwnNames =
        [DnsmasqRenderer.RouterName, $"{DnsmasqRenderer.RouterName}.{DnsmasqRenderer.LanDomain}", "localhost", "127.0.0.1"];

    public static void UseRequestGate(this WebApplication app, Router router) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            bool tcp = context.Connection.RemoteIpAddress is not null;
            if (tcp && !IsOwnHost(request.Host, router.Snapshot.LanAddresses(), context.Connection.LocalIpAddress))
            {
                await Refuse(context, StatusCodes.Status421MisdirectedRequest, "this router does not serve that host name", "http/FOREIGN_HOST");
                return;
            }
            long limit = BodyLimit(request);
            if (request.ContentLength > limit)
            {
                await Refuse(context, StatusCodes.Status413PayloadTooLarge, $"the body is larger than this route accepts ({limit} bytes)", "http/BODY_TOO_LARGE");
                return;
            }
            // A body without a length (chunked) stops at the same limit while it is read.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                size.MaxRequestBodySize = limit;
            if (tcp && ApiGuard.IsStateChanging(request.Method) && request.Headers.Origin.Count > 0 && !IsOwnOrigin(request.Headers.Origin.ToString(), request.Host))
            {
                await Refuse(context, StatusCodes.Status403Forbidden, "the request comes from a page of another site", "auth/ORIGIN");
                return;
            }
            await next(context);
        });

    /// <summary>Host is one of the router's names or LAN addresses (any port: relays forward ports),
    /// or the very address the connection came in on (<paramref name="local"/>): routerd listens on
    /// its LAN addresses only, and a rebinding page names its own host, never an address. That
    /// keeps a LAN address that is just being given up (a confirmed change's old one, until Kestrel
    /// has closed its socket and connections) answering its last requests instead of 421.</summary>
    public static bool IsOwnHost(HostString host, IEnumerable<IPAddress> lanAddresses, IPAddress? local = null)
    {
        if (!host.HasValue) return false;
        string name = host.Host.TrimEnd('.');
        if (OwnNames.Contains(name, StringComparer.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(name, out var ip) && name.Count(c => c == '.') == 3 &&
            (lanAddresses.Contains(ip) || (local is not null && ip.Equals(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local)));
    }

    /// <summary>An Origin is the router's own when it is http with exactly the (checked) Host of the request.</summary>
    public static bool IsOwnOrigin(string origin, HostString host) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.PathAndQuery == "/" &&
        string.Equals(uri.Authority, host.Port == 80 ? host.Host : host.Value, StringComparison.OrdinalIgnoreCase);

    static Task Refuse(HttpContext context, int status, string error, string code)
    {
        context.Response.StatusCode = status;
        // The client may still be sending a body nobody reads: do not keep the connection for it.
        if (status == StatusCodes.Status413PayloadTooLarge) context.Response.Headers.Connection = "close";
        return context.Response.WriteAsJsonAsync(new ApiError(error, code), RouterJsonContext.Default.ApiError);
    }
}
