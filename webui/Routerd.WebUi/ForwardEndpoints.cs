using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Settings;

namespace Routerd.WebUi;

/// <summary>Port forwards: GET /api/forwards (each with where it leads now), POST to create, PUT
/// /api/forwards/{id} to replace, DELETE to remove. Each change goes through the loop as one
/// event; the answer comes once the forward map's elements are applied.</summary>
public static class ForwardEndpoints
{
    public const string Route = "/api/forwards";

    public static void MapForwardApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        app.MapGet(Route, () => Results.Json(List(api), ForwardJsonContext.Default.ListForwardView));

        app.MapPost(Route, async Task<IResult> (HttpRequest request, HttpContext context) =>
        {
            var (forward, refusal) = await JsonBody.ReadAsync(request, RouterJsonContext.Default.PortForward);
            if (forward is null) return refusal!;
            return Answer(await api.Router.EditForwardAsync(null, forward), api, StatusCodes.Status201Created);
        });

        app.MapPut(Route + "/{id}", async Task<IResult> (HttpRequest request, HttpContext context) =>
        {
            if (Id(request) is not { } id) return NotFound(request);
            var (forward, refusal) = await JsonBody.ReadAsync(request, RouterJsonContext.Default.PortForward);
            if (forward is null) return refusal!;
            return Answer(await api.Router.EditForwardAsync(id, forward), api, StatusCodes.Status200OK);
        });

        app.MapDelete(Route + "/{id}", async Task<IResult> (HttpRequest request, HttpContext context) =>
        {
            if (Id(request) is not { } id) return NotFound(request);
            var change = await api.Router.EditForwardAsync(id, null);
            if (change.NotFound) return NotFound(request);
            return ApiEndpoints.Refusal(Unprefixed(change.Result)) ?? Results.NoContent();
        });
    }

    /// <summary>Every forward with its device's name and where it leads now.</summary>
    public static List<ForwardView> List(RouterApi api)
    {
        var names = DeviceNames(api);
        var pinholes = api.Router.Pinholes().Holes.ToDictionary(h => h.Forward.Id, h => h.Addresses);
        return api.Router.Forwards().Targets.Select(t => ForwardView.Of(t, names.GetValueOrDefault(t.Forward.Mac.ToString()),
            pinholes.GetValueOrDefault(t.Forward.Id) ?? [])).ToList();
    }

    /// <summary>One forward as <see cref="List"/> shows it (an edit's answer, without building the others' views).</summary>
    static ForwardView? One(RouterApi api, int id) => api.Router.Forward(id) is { } f
        ? ForwardView.Of(f.Target, DeviceNames(api).GetValueOrDefault(f.Target.Forward.Mac.ToString()), f.Ipv6)
        : null;

    static Dictionary<string, string?> DeviceNames(RouterApi api) =>
        api.Devices.View(api.Router.Settings.Devices).ToDictionary(d => d.Mac, d => d.Name ?? d.Hostname);

    /// <summary>The route's {id}: a whole number from 1 up, else null (answered 404).</summary>
    internal static int? Id(HttpRequest request) =>
        int.TryParse(request.RouteValues["id"] as string, System.Globalization.NumberStyles.None, null, out int id) && id > 0 ? id : null;

    static IResult NotFound(HttpRequest request) =>
        Results.Json(new ApiError("no such port forward", "forward/UNKNOWN", [new FieldError("id", $"'{request.RouteValues["id"]}' names no port forward")]),
            RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status404NotFound);

    static IResult Answer(ForwardChange change, RouterApi api, int status)
    {
        if (change.NotFound) return Results.Json(new ApiError("no such port forward", "forward/UNKNOWN", [new FieldError("id", $"{change.Id} names no port forward")]),
            RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status404NotFound);
        if (ApiEndpoints.Refusal(Unprefixed(change.Result)) is { } refused) return refused;
        var view = One(api, change.Id) ?? throw new InvalidOperationException($"forward {change.Id} was applied but is not in the snapshot");
        return Results.Json(view, ForwardJsonContext.Default.ForwardView, statusCode: status);
    }

    /// <summary>The loop names fields in the settings document ("forwards[3].wanPort"); a request
    /// about one forward gets them as the fields of that forward ("wanPort"). Every error of an
    /// edit is the edited forward's (the loop names an overlap at the edited one). The same for
    /// another list of the document (<paramref name="list"/>: "virtualServers").</summary>
    internal static ChangeResult Unprefixed(ChangeResult result, string list = "forwards") => result with
    {
        Errors = result.Errors.Select(e => e.Field.StartsWith(list + "[", StringComparison.Ordinal) && e.Field.IndexOf("].", StringComparison.Ordinal) is int end and > 0
            ? e with { Field = e.Field[(end + 2)..] }
            : e).ToList(),
    };
}

/// <summary>A forward as GET /api/forwards shows it: its settings, the device's name, and the
/// address it leads to now, or why it leads nowhere (forward/DISABLED, forward/NO_ADDRESS); on
/// IPv6, the device's global addresses whose LAN ports it opens (the pinholes, Firewall/ForwardPinholes).</summary>
public sealed record ForwardView(int Id, string Protocol, int WanPort, int? WanPortEnd, string Mac, int? LanPort, bool Enabled, string? Description,
    string? DeviceName, string? Address, string? Reason, IReadOnlyList<string> Ipv6Addresses)
{
    public static ForwardView Of(ForwardTarget t, string? deviceName, IReadOnlyList<System.Net.IPAddress> ipv6)
    {
        var f = t.Forward;
        return new(f.Id, ForwardRules.ProtocolName(f.Protocols), f.WanStart, f.WanEnd == f.WanStart ? null : f.WanEnd, f.Mac.ToString(), f.LanStart, f.Enabled,
            f.Description, deviceName, t.Address?.ToString(), t.Reason, ipv6.Select(a => a.ToString()).ToList());
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ForwardView))]
[JsonSerializable(typeof(List<ForwardView>))]
public sealed partial class ForwardJsonContext : JsonSerializerContext;
