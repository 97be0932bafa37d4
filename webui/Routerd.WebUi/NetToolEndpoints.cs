using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Text.Json.Serialization.Metadata;
using Routerd.Core.Diagnostics;
using Routerd.Core.Loop;
using Routerd.Core.Settings;

namespace Routerd.WebUi;

/// <summary>The owner's network tools run by the router: POST /api/diagnostics/ping, /traceroute
/// and /lookup. Every argument is checked first (400 naming the field); one runs at a time (409);
/// each answers when it has finished, bounded in count and time.</summary>
public static class NetToolEndpoints
{
    public const string PingRoute = "/api/diagnostics/ping";
    public const string TracerouteRoute = "/api/diagnostics/traceroute";
    public const string LookupRoute = "/api/diagnostics/lookup";

    public static void MapNetToolsApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        MapTool(app, api, PingRoute, DiagnosticsJsonContext.Default.PingRequest, NetToolRules.CheckPing);
        MapTool(app, api, TracerouteRoute, DiagnosticsJsonContext.Default.TracerouteRequest, NetToolRules.CheckTraceroute);

        app.MapPost(LookupRoute, async Task<IResult> (HttpRequest request) =>
        {
            var (body, refusal) = await JsonBody.ReadAsync(request, DiagnosticsJsonContext.Default.LookupRequest);
            if (body is null) return refusal!;
            var errors = new List<FieldError>();
            if (NetToolRules.CheckLookup(body, errors) is not { } plan) return Invalid(errors);
            // The router's own DNS (dnsmasq) listens on the LAN address.
            var routerDns = api.Router.State.Lan.Address.Ip;
            return await Run(api, t => t.LookupAsync(plan, routerDns, request.HttpContext.RequestAborted));
        });
    }

    /// <summary>ping or traceroute: the body checked into a plan, then run.</summary>
    static void MapTool<T>(IEndpointRouteBuilder app, RouterApi api, string route, JsonTypeInfo<T> type, Func<T, List<FieldError>, ToolPlan?> check) where T : class =>
        app.MapPost(route, async Task<IResult> (HttpRequest request) =>
        {
            var (body, refusal) = await JsonBody.ReadAsync(request, type);
            if (body is null) return refusal!;
            var errors = new List<FieldError>();
            return check(body, errors) is { } plan
                ? await Run(api, t => t.RunAsync(plan, request.HttpContext.RequestAborted))
                : Invalid(errors);
        });

    static async Task<IResult> Run<T>(RouterApi api, Func<INetTools, Task<T>> run)
    {
        if (api.NetTools is not { } tools)
            return Results.Json(new ApiError("the network tools are not available on this router", "diagnostics/TOOLS_UNAVAILABLE"),
                RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status501NotImplemented);
        try
        {
            return await run(tools) switch
            {
                ToolResult r => Results.Json(r, DiagnosticsJsonContext.Default.ToolResult),
                LookupResult r => Results.Json(r, DiagnosticsJsonContext.Default.LookupResult),
                _ => throw new InvalidOperationException("an unknown tool result"),
            };
        }
        catch (NetToolException e)
        {
            return Results.Json(new ApiError(e.Message, e.Code), RouterJsonContext.Default.ApiError,
                statusCode: e.Code == NetToolException.Busy ? StatusCodes.Status409Conflict : StatusCodes.Status500InternalServerError);
        }
    }

    static IResult Invalid(List<FieldError> errors) =>
        Results.Json(new ApiError("invalid request", "request/INVALID", errors), RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status400BadRequest);
}
