using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Net;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.WebUi;

/// <summary>The JSON API. Reads are served from memory (the loop's snapshot and the device
/// registry), never from the store per request; changes are events the loop handles in turn.</summary>
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
        group.MapPost("/devices", async (NewDevice device) =>
            !Router.TryParseDevice(device.Mac, out var mac, out var refused)
                ? Answer(refused, api)
                : Answer(await api.Router.AddDeviceAsync(mac, device.Name), api));
        group.MapPut("/devices/{mac}/priority", (string mac, PriorityRequest request) =>
            ForKnownDevice(api, mac, m => api.Router.SetPriorityAsync(m, request.Enabled, request.Until)));
        group.MapPut("/devices/{mac}/pause", (string mac, PauseRequest request) =>
            ForKnownDevice(api, mac, m => api.Router.SetPauseAsync(m, request.Paused, request.Until, request.Schedule)));
        group.MapGet("/settings", () => SettingsSecrets.Redact(api.Router.Settings));
        app.MapSettingsApi(api);
        app.MapForwardApi(api);
        app.MapDiagnosticsApi(api);
        app.MapOwnerTools(api);
        app.MapVirtualServerApi(api);
        app.MapUsageApi(api);

        // Hooks of the daemons routerd supervises report back here; never reachable over TCP.
        // The DHCP and PPP hooks return once the loop has handled their report (the WAN is applied by then).
        app.MapPost("/internal/dhcp", async (DhcpHookReport report) =>
        {
            await api.Router.SendAsync(new DhcpHook(report));
            return Results.NoContent();
        }).AddEndpointFilter(ControlSocketOnly);
        // dhcpcd's hook is answered at once, before the loop handles the report: dhcpcd runs its
        // hook for STOPPED while the loop waits in the supervisor's stop for dhcpcd to exit (a WAN
        // mode change, every PPP session's end), so waiting here held both until the stop's grace ran out.
        app.MapPost("/internal/dhcp6", (Routerd.Core.Ipv6.Dhcp6HookReport report) =>
        {
            api.Router.Post(new Dhcp6Hook(report));
            return Results.NoContent();
        }).AddEndpointFilter(ControlSocketOnly);
        app.MapPost("/internal/ppp", async (Routerd.Core.Wan.PppHookReport report) =>
        {
            await api.Router.SendAsync(new PppHook(report));
            return Results.NoContent();
        }).AddEndpointFilter(ControlSocketOnly);
    }

    /// <summary>A change of one device (priority, pause): the device as it now is, or why not.</summary>
    static async Task<IResult> ForKnownDevice(RouterApi api, string mac, Func<MacAddress, Task<ChangeResult>> change)
    {
        // The MAC is parsed here, once; the loop gets the parsed value.
        if (!Router.TryParseDevice(mac, out var m, out var refused)) return Answer(refused, api);
        // Unknown devices are 404: add them first (POST /api/devices), so a typo never
        // silently creates an entry for nobody.
        if (!api.Router.KnowsDevice(m)) return UnknownDevice(m);
        var result = await change(m);
        return result.Succeeded
            ? Results.Json(api.Device(m), RouterJsonContext.Default.DeviceView)
            : Answer(result, api);
    }

    /// <summary>A change's answer: 400 naming the refused fields, 507 when the disk is too full to
    /// store it and 500 with the structured code when storing or applying failed (nothing of it
    /// is in force), else the settings as they now are.</summary>
    internal static IResult Answer(ChangeResult result, RouterApi api) =>
        Refusal(result) ?? Results.Json(SettingsSecrets.Redact(api.Router.Settings), RouterJsonContext.Default.RouterSettings);

    /// <summary>The answer to a change that did not happen; null when it did.</summary>
    /// <summary>404 for a device routerd has never seen (nor been told of).</summary>
    internal static IResult UnknownDevice(MacAddress mac) =>
        Results.Json(new ApiError("no such device", "devices/UNKNOWN", [new FieldError("mac", $"{mac} has not been seen; add it first")]),
            RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status404NotFound);

    internal static IResult? Refusal(ChangeResult result)
    {
        if (result.Errors.Count > 0)
            return Results.Json(new ApiError("invalid settings", "request/INVALID", result.Errors), RouterJsonContext.Default.ApiError, statusCode: 400);
        if (result.FailureCode is { } code)
            return Results.Json(new ApiError(result.FailureMessage ?? code, code), RouterJsonContext.Default.ApiError,
                statusCode: code == StoreException.Full ? StatusCodes.Status507InsufficientStorage : StatusCodes.Status500InternalServerError);
        return null;
    }

    /// <summary>Only for the daemons' hooks: the root-only control socket (a unix socket: no remote address).</summary>
    internal static async ValueTask<object?> ControlSocketOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Connection.RemoteIpAddress is null
            ? await next(context)
            : Results.Json(new ApiError("changes are accepted on the control socket only", "auth/CONTROL_SOCKET_ONLY"), RouterJsonContext.Default.ApiError, statusCode: 403);
}
