using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Diagnostics;
using Routerd.Core.Loop;
using Routerd.Core.Settings;

namespace Routerd.WebUi;

/// <summary>Diagnostics: POST /api/diagnostics/trace follows new connections to a port through
/// the firewall for a few seconds and answers with each packet's path in words; GET
/// /api/devices/{mac}/connections lists what the kernel tracks for a device. Both read the
/// kernel through the adapters the composition root gives (501 where there are none).</summary>
public static class DiagnosticsEndpoints
{
    public const string TraceRoute = "/api/diagnostics/trace";
    public const string ConnectionsRoute = "/api/devices/{mac}/connections";

    public static void MapDiagnosticsApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        app.MapPost(TraceRoute, async Task<IResult> (HttpRequest request) =>
        {
            var (body, refusal) = await JsonBody.ReadAsync(request, DiagnosticsJsonContext.Default.TraceRequest);
            if (body is null) return refusal!;
            var errors = new List<FieldError>();
            if (TraceRules.Check(body, errors) is not { } plan)
                return Results.Json(new ApiError("invalid trace request", "request/INVALID", errors), RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status400BadRequest);
            if (api.Tracer is not { } tracer) return Unavailable("the connection tracer is not available", "diagnostics/TRACE_UNAVAILABLE");
            try
            {
                var capture = await tracer.TraceAsync(plan, request.HttpContext.RequestAborted);
                return Results.Json(TraceReport.Build(plan, capture, api.Router.Forwards()), DiagnosticsJsonContext.Default.TraceResult);
            }
            catch (TraceException e)
            {
                return Results.Json(new ApiError(e.Message, e.Code), RouterJsonContext.Default.ApiError,
                    statusCode: e.Code == TraceException.Busy ? StatusCodes.Status409Conflict : StatusCodes.Status500InternalServerError);
            }
        });

        app.MapGet(ConnectionsRoute, async Task<IResult> (string mac) =>
        {
            if (!Router.TryParseDevice(mac, out var m, out var refused)) return ApiEndpoints.Refusal(refused)!;
            if (!api.Router.KnowsDevice(m)) return ApiEndpoints.UnknownDevice(m);
            if (api.Conntrack is not { } conntrack) return Unavailable("the connection table cannot be read", "diagnostics/CONNTRACK_UNAVAILABLE");
            string key = m.ToString();
            var addresses = api.Devices.AddressesOf([m]).ToHashSet();
            // A dump walks the whole table: off the request's thread, like any blocking read.
            var view = await Task.Run(() => DeviceConnections.Read(key, conntrack, addresses));
            return Results.Json(view, DiagnosticsJsonContext.Default.DeviceConnectionsView);
        });
    }

    static IResult Unavailable(string error, string code) =>
        Results.Json(new ApiError(error, code), RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status501NotImplemented);
}
