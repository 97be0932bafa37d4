using Microsoft.AspNetCore.Routing;
using Routerd.Core.Settings;
using Routerd.WebUi.Auth;

namespace Routerd.WebUi;

/// <summary>Every route of the web API in one call, so the composition root and the test that
/// holds openapi.json to the routes map the same set.</summary>
public static class WebApi
{
    public static void MapWebApi(this IEndpointRouteBuilder app, RouterApi api, Board board, SessionStore sessions, LoginThrottle throttle, ISystemActions system, Routerd.Core.Upgrade.FirmwareUpdater? firmware = null)
    {
        app.MapRouterApi(api);
        app.MapSessionApi(api.Router, board, sessions, throttle);
        app.MapSystemApi(system);
        app.MapFirmwareApi(firmware, api.Version);
        app.MapOpenApiDocument();
    }
}
