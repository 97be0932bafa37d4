using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Wifi;

namespace Routerd.WebUi;

/// <summary>POST /api/wifi/join: what a guest needs to join the Wi-Fi (name, key and the WIFI: URI
/// the page draws as a QR code). The key is a secret the settings never send back; this answers it
/// only to a logged-in owner who asks (a POST: it needs the session's CSRF token too).</summary>
public static class WifiJoinEndpoints
{
    public const string Route = "/api/wifi/join";

    public static void MapWifiJoinApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        app.MapPost(Route, () =>
        {
            var w = api.Router.Settings.Wifi;
            if (string.IsNullOrEmpty(w.Passphrase))
                return Results.Json(new ApiError("The Wi-Fi has no password set yet: set one on the Wi-Fi page first.", "wifi/NO_PASSPHRASE"),
                    RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status409Conflict);
            var join = new WifiJoin(w.Ssid, w.Security, w.Passphrase, w.Hidden, w.Enabled, WifiJoinUri.Build(w.Ssid, w.Passphrase, w.Hidden));
            return Results.Json(join, OwnerToolsJsonContext.Default.WifiJoin);
        });
    }
}

/// <summary>POST /api/wifi/join's answer.</summary>
public sealed record WifiJoin(string Ssid, string Security, string Passphrase, bool Hidden, bool Enabled, string Uri);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WifiJoin))]
public sealed partial class OwnerToolsJsonContext : JsonSerializerContext;
