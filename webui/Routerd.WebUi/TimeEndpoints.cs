using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Diagnostics;
using Routerd.Core.Time;

namespace Routerd.WebUi;

/// <summary>GET /api/time: the router's time zone (a setting: time.zone, changed with PUT
/// /api/settings), its local time, the zones to choose from, and how the clock is kept.</summary>
public static class TimeEndpoints
{
    public const string Route = "/api/time";

    public static void MapTimeApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        // The tz database does not change while routerd runs (an upgrade restarts it).
        var zones = new Lazy<IReadOnlyList<string>>(TimeRules.Zones);
        app.MapGet(Route, () =>
        {
            var clock = api.Clock ?? TimeProvider.System;
            var status = api.ClockStatus?.Read() ?? new ClockStatus(null, null, false, null);
            var view = TimeReport.Build(api.Router.State.Zone, clock.GetUtcNow(), status, zones.Value);
            return Results.Json(view, DiagnosticsJsonContext.Default.TimeView);
        });
    }
}
