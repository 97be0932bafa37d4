using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Loop;
using Routerd.Core.Usage;

namespace Routerd.WebUi;

/// <summary>GET /api/devices/{mac}/usage: a known device's internet traffic per hour for the last
/// week, from the traffic meter's history in memory.</summary>
public static class UsageEndpoints
{
    public const string Route = "/api/devices/{mac}/usage";

    public static void MapUsageApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        app.MapGet(Route, (string mac) =>
        {
            if (!Router.TryParseDevice(mac, out var m, out var refused)) return ApiEndpoints.Refusal(refused)!;
            if (!api.Router.KnowsDevice(m)) return ApiEndpoints.UnknownDevice(m);
            // The sample first, so the current hour holds what moved up to now (at most one per second).
            api.Meter.Refresh();
            return Results.Json(UsageView.Of(m, api.Meter.History, (api.Clock ?? TimeProvider.System).GetUtcNow()), UsageJsonContext.Default.UsageView);
        });
    }
}
