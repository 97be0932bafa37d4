using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Net;
using Routerd.Core.Json;
using Routerd.Core.Reconcile;
using Routerd.Core.Settings;
using Routerd.Core.Status;

namespace Routerd.WebUi;

/// <summary>The JSON API. Reads are served from memory (the reconciler's current settings and the
/// device registry), never from the store per request.</summary>
public static class ApiEndpoints
{
    public static void MapRouterApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        // Sessions, CSRF and no-store are enforced in front of every /api route (Auth/ApiGuard).
        var group = app.MapGroup("/api");

        group.MapGet("/status", () => api.Status());
        group.MapGet("/devices", () => api.DeviceList());
        group.MapGet("/qos", () => api.Qos());
        group.MapGet("/wan/detect", (int? timeoutMs) => WanDetectEndpoint.Handle(api, timeoutMs));
        group.MapPost("/devices", (NewDevice device) => Answer(api.Reconciler.AddDevice(device.Mac, device.Name), api));
        group.MapPut("/devices/{mac}/priority", (string mac, PriorityRequest request) =>
        {
            // Unknown devices are 404: add them first (POST /api/devices), so a typo never
            // silently creates a VIP entry for nobody.
            if (MacAddress.TryParse(mac, out var m) && !api.Reconciler.KnowsDevice(m))
                return Results.Json(new FieldErrorResponse("no such device", [new FieldError("mac", $"{m} has not been seen; add it first")]),
                    RouterJsonContext.Default.FieldErrorResponse, statusCode: 404);
            var result = api.Reconciler.SetPriority(mac, request.Enabled, request.Until);
            return result.Succeeded
                ? Results.Json(api.DeviceList().First(d => d.Mac == m.ToString()), RouterJsonContext.Default.DeviceView)
                : Answer(result, api);
        });
        group.MapGet("/settings", () => SettingsSecrets.Redact(api.Reconciler.Settings));
        app.MapSettingsApi(api);

        // Hooks of the daemons routerd supervises report back here; never reachable over TCP.
        app.MapPost("/internal/dhcp", (DhcpHookReport report) =>
        {
            api.Reconciler.OnDhcpEvent(report);
            return Results.NoContent();
        }).AddEndpointFilter(ControlSocketOnly);
        app.MapPost("/internal/ppp", (Routerd.Core.Wan.PppHookReport report) =>
        {
            api.Reconciler.OnPppEvent(report);
            return Results.NoContent();
        }).AddEndpointFilter(ControlSocketOnly);
    }

    /// <summary>A change's answer: 400 naming the refused fields, 500 with the structured code when
    /// applying failed (the old configuration is back), else the settings as they now are.</summary>
    internal static IResult Answer(ChangeResult result, RouterApi api)
    {
        if (result.Errors.Count > 0)
            return Results.Json(new FieldErrorResponse("invalid settings", result.Errors), RouterJsonContext.Default.FieldErrorResponse, statusCode: 400);
        if (result.FailureCode is { } code)
            return Results.Json(new FieldErrorResponse(code, [new FieldError("", result.FailureMessage ?? code)]), RouterJsonContext.Default.FieldErrorResponse, statusCode: 500);
        return Results.Json(SettingsSecrets.Redact(api.Reconciler.Settings), RouterJsonContext.Default.RouterSettings);
    }

    /// <summary>Only for the daemons' hooks: the root-only control socket (a unix socket: no remote address).</summary>
    static async ValueTask<object?> ControlSocketOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Connection.RemoteIpAddress is null
            ? await next(context)
            : Results.Json(new FieldErrorResponse("changes are accepted on the control socket only", []), RouterJsonContext.Default.FieldErrorResponse, statusCode: 403);
}
