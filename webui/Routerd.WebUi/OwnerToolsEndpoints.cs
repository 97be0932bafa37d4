using Microsoft.AspNetCore.Routing;

namespace Routerd.WebUi;

/// <summary>The owner's tools of issue 23, each in its own file: ping, traceroute and DNS lookup
/// run by the router, the log viewer, the time zone and clock, joining the Wi-Fi by QR code.</summary>
public static class OwnerToolsEndpoints
{
    public static void MapOwnerTools(this IEndpointRouteBuilder app, RouterApi api)
    {
        app.MapNetToolsApi(api);
        app.MapLogApi(api);
        app.MapTimeApi(api);
        app.MapWifiJoinApi(api);
    }
}
