using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Loop;
using Routerd.Core.Settings;

namespace Routerd.WebUi;

/// <summary>The loop's clock for the namespace tier (board TestClock): it runs with the system's
/// and can be moved forward, never back (a deadline once passed stays passed). Only the date moves, as
/// when NTP steps it: the timestamps stay the system's, so what routerd times on its monotonic clock
/// (a LAN change's rollback window, web sessions) does not follow.</summary>
public sealed class MovableClock : TimeProvider
{
    long aheadTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref aheadTicks));

    /// <summary>Moves the clock to <paramref name="to"/> if that is later than now; returns the time now.</summary>
    public DateTimeOffset MoveTo(DateTimeOffset to)
    {
        var ahead = to - System.GetUtcNow();
        if (ahead.Ticks > Interlocked.Read(ref aheadTicks)) Interlocked.Exchange(ref aheadTicks, ahead.Ticks);
        return GetUtcNow();
    }
}

public static class TestClockEndpoint
{
    /// <summary>POST /internal/clock {"now": "2026-12-07T21:00:00+01:00"} on the control socket only:
    /// the clock moves there, the loop handles its deadlines at once (schedules start or end) and
    /// the answer comes when the sets are applied: {"now": ...}.</summary>
    public static void MapTestClock(this IEndpointRouteBuilder app, Router router, MovableClock clock) =>
        app.MapPost("/internal/clock", async (JsonObject body) =>
        {
            if (body["now"] is not JsonValue v || !v.TryGetValue(out string? text) || !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var to))
                return Results.Json(new ApiError("'now' must be a date and time", "request/INVALID", [new FieldError("now", "must be a date and time with its offset")]),
                    RouterJsonContext.Default.ApiError, statusCode: 400);
            var now = clock.MoveTo(to);
            await router.SendAsync(new Tick());
            await router.SendAsync(new DevicesChanged());
            return Results.Json(new JsonObject { ["now"] = now.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }, RouterJsonContext.Default.JsonObject);
        }).AddEndpointFilter(ApiEndpoints.ControlSocketOnly);
}
