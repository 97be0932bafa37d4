using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Json;
using Routerd.Core.Settings;
using Routerd.Core.Status;

namespace Routerd.WebUi;

/// <summary>The JSON API. Reads are served from memory (the reconciler's current settings and the
/// device registry), never from the store per request.</summary>
public static class ApiEndpoints
{
    public static void MapRouterApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        var group = app.MapGroup("/api");
        group.AddEndpointFilter(NoStore);

        group.MapGet("/status", () => api.Status());
        group.MapGet("/devices", () => api.Devices.Snapshot());
        group.MapGet("/settings", () => SettingsSecrets.Redact(api.Reconciler.Settings));
        group.MapPut("/settings", (RouterSettings settings) =>
        {
            var result = api.Reconciler.TryChange(settings);
            if (result.Errors.Count > 0)
                return Results.Json(new FieldErrorResponse("invalid settings", result.Errors), RouterJsonContext.Default.FieldErrorResponse, statusCode: 400);
            if (result.FailureCode is { } code)
                return Results.Json(new FieldErrorResponse(code, [new FieldError("", result.FailureMessage ?? code)]), RouterJsonContext.Default.FieldErrorResponse, statusCode: 500);
            return Results.Json(SettingsSecrets.Redact(api.Reconciler.Settings), RouterJsonContext.Default.RouterSettings);
        }).AddEndpointFilter(ControlSocketOnly);

        // Hooks of the daemons routerd supervises report back here; never reachable over TCP.
        app.MapPost("/internal/dhcp", (DhcpHookReport report) =>
        {
            api.Reconciler.OnDhcpEvent(report);
            return Results.NoContent();
        }).AddEndpointFilter(ControlSocketOnly);
    }

    /// <summary>Until web sessions with CSRF protection exist, state changes are accepted only on
    /// the root-only control socket (a unix socket: no remote address).</summary>
    static async ValueTask<object?> ControlSocketOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Connection.RemoteIpAddress is null
            ? await next(context)
            : Results.Json(new FieldErrorResponse("changes are accepted on the control socket only", []), RouterJsonContext.Default.FieldErrorResponse, statusCode: 403);

    static async ValueTask<object?> NoStore(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        context.HttpContext.Response.Headers.CacheControl = "no-store";
        return await next(context);
    }
}
