using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Wifi;

namespace Routerd.WebUi;

/// <summary>POST /api/wifi/join and POST /api/wifi/guest/join: what a visitor needs to join the
/// main or the guest network (name, key and the WIFI: URI the page draws as a QR code). The keys are
/// secrets the settings never send back; these answer them only to a logged-in owner who asks (a
/// POST: it needs the session's CSRF token too, so another site cannot make the browser fetch it,
/// and nothing caches it), never in GET /api/settings or a log.</summary>
public static class WifiJoinEndpoints
{
    public const string Route = "/api/wifi/join", GuestRoute = "/api/wifi/guest/join";

    public static void MapWifiJoinApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        app.MapPost(Route, () =>
        {
            var w = api.Router.Settings.Wifi;
            return Answer(w.Ssid, w.Security, w.Passphrase, w.Hidden, w.Enabled,
                "The Wi-Fi has no password set yet: set one on the Wi-Fi page first.");
        });
        app.MapPost(GuestRoute, () =>
        {
            var w = api.Router.Settings.Wifi;
            var g = w.Guest ?? new();
            // The guest network broadcasts only while the radio is on too.
            return Answer(g.Ssid, w.Security, g.Passphrase, hidden: false, g.Enabled && w.Enabled,
                "The guest network has no password set yet: set one in the Guest network section first.");
        });
    }

    static IResult Answer(string ssid, string security, string? passphrase, bool hidden, bool enabled, string noKey)
    {
        if (string.IsNullOrEmpty(passphrase))
            return Results.Json(new ApiError(noKey, "wifi/NO_PASSPHRASE"), RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status409Conflict);
        var join = new WifiJoin(ssid, security, passphrase, hidden, enabled, WifiJoinUri.Build(ssid, passphrase, hidden));
        return Results.Json(join, OwnerToolsJsonContext.Default.WifiJoin);
    }
}

/// <summary>POST /api/wifi/join's and /api/wifi/guest/join's answer.</summary>
public sealed record WifiJoin(string Ssid, string Security, string Passphrase, bool Hidden, bool Enabled, string Uri);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WifiJoin))]
public sealed partial class OwnerToolsJsonContext : JsonSerializerContext;
