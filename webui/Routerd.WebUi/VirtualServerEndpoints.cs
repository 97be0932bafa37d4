using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.VirtualServers;

namespace Routerd.WebUi;

/// <summary>Virtual servers (load-balanced forwards): GET /api/virtual-servers (each backend with
/// its address, health and active connections), POST to create, PUT /api/virtual-servers/{id} to
/// replace, DELETE to remove. Each change goes through the loop as one event.</summary>
public static class VirtualServerEndpoints
{
    public const string Route = "/api/virtual-servers";

    public static void MapVirtualServerApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        app.MapGet(Route, () => Results.Json(List(api), VirtualServerJsonContext.Default.ListVirtualServerView));

        app.MapPost(Route, async Task<IResult> (HttpRequest request) =>
        {
            var (server, refusal) = await JsonBody.ReadAsync(request, RouterJsonContext.Default.VirtualServer);
            if (server is null) return refusal!;
            return Answer(await api.Router.EditVirtualServerAsync(null, server), api, StatusCodes.Status201Created);
        });

        app.MapPut(Route + "/{id}", async Task<IResult> (HttpRequest request) =>
        {
            if (Id(request) is not { } id) return NotFound(request.RouteValues["id"]);
            var (server, refusal) = await JsonBody.ReadAsync(request, RouterJsonContext.Default.VirtualServer);
            if (server is null) return refusal!;
            return Answer(await api.Router.EditVirtualServerAsync(id, server), api, StatusCodes.Status200OK, id);
        });

        app.MapDelete(Route + "/{id}", async Task<IResult> (HttpRequest request) =>
        {
            if (Id(request) is not { } id) return NotFound(request.RouteValues["id"]);
            var change = await api.Router.EditVirtualServerAsync(id, null);
            if (change.NotFound) return NotFound(id);
            return ApiEndpoints.Refusal(Unprefixed(change.Result)) ?? Results.NoContent();
        });
    }

    /// <summary>Every virtual server with its backends as they are now.</summary>
    public static List<VirtualServerView> List(RouterApi api)
    {
        var names = api.Devices.View(api.Router.Settings.Devices).ToDictionary(d => d.Mac, d => d.Name ?? d.Hostname);
        var pool = api.Router.VirtualServers();
        IReadOnlyDictionary<(int Server, IPAddress Address, int Port), int>? active;
        // The counts are a view: a kernel that does not answer leaves them unknown, never the list.
        try { active = api.Connections?.Active(pool); }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidDataException) { active = null; }
        bool ipvs = VirtualServerRenderer.UsesIpvs(api.Router.State.Board);
        return pool.Servers.Select(s => VirtualServerView.Of(s, ipvs, names, active)).ToList();
    }

    static int? Id(HttpRequest request) => ForwardEndpoints.Id(request);

    static IResult NotFound(object? id) =>
        Results.Json(new ApiError("no such virtual server", "virtualServer/UNKNOWN", [new FieldError("id", $"'{id}' names no virtual server")]),
            RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status404NotFound);

    static IResult Answer(ForwardChange change, RouterApi api, int status, int? id = null)
    {
        if (change.NotFound) return NotFound(id ?? change.Id);
        if (ApiEndpoints.Refusal(Unprefixed(change.Result)) is { } refused) return refused;
        var view = List(api).First(v => v.Id == change.Id);
        return Results.Json(view, VirtualServerJsonContext.Default.VirtualServerView, statusCode: status);
    }

    /// <summary>A request about one server gets its errors as that server's fields ("backends[0].weight").</summary>
    static ChangeResult Unprefixed(ChangeResult result) => ForwardEndpoints.Unprefixed(result, "virtualServers");
}

/// <summary>A virtual server as GET /api/virtual-servers shows it. <see cref="Balancer"/>: "ipvs" or
/// "nftables"; <see cref="SchedulerInEffect"/> is the scheduler balancing it (both balancers do both:
/// wlc on nftables by counts the router takes each health round, BackendPool.ShareOf).</summary>
public sealed record VirtualServerView(int Id, string Protocol, int WanPort, string Scheduler, string SchedulerInEffect, string Balancer, bool Enabled,
    string? Description, IReadOnlyList<BackendView> Backends)
{
    public static VirtualServerView Of(ServerTarget s, bool ipvs, IReadOnlyDictionary<string, string?> names,
        IReadOnlyDictionary<(int Server, IPAddress Address, int Port), int>? active)
    {
        var p = s.Server;
        string scheduler = VirtualServerRules.SchedulerName(p.Scheduler);
        return new(p.Id, ForwardRules.ProtocolName(p.Protocol), p.WanPort, scheduler, scheduler, ipvs ? Balancers.Ipvs : Balancers.Nftables,
            p.Enabled, p.Description, s.Backends.Select(b => BackendView.Of(p.Id, b, names, active)).ToList());
    }
}

/// <summary>A backend: as configured, where it is now (<see cref="CurrentAddress"/>; null with the
/// reason virtualServer/NO_ADDRESS), its health ("unknown" until checked, "up", "down", "unchecked"
/// for UDP), whether it takes new connections, and its active connections (null: not known).</summary>
public sealed record BackendView(string? Mac, string? Address, int Port, int Weight, string? DeviceName, string? CurrentAddress, string Health,
    bool InPool, int? ActiveConnections, string? Reason)
{
    public const string NoAddress = "virtualServer/NO_ADDRESS";

    public static BackendView Of(int server, BackendTarget t, IReadOnlyDictionary<string, string?> names,
        IReadOnlyDictionary<(int Server, IPAddress Address, int Port), int>? active)
    {
        var b = t.Backend;
        string? mac = b.Mac?.ToString();
        int? connections = t.Address is { } a && active is not null && active.TryGetValue((server, a, b.Port), out int n) ? n : null;
        return new(mac, b.Address?.ToString(), b.Port, b.Weight, mac is null ? null : names.GetValueOrDefault(mac), t.Address?.ToString(),
            t.Health.ToString().ToLowerInvariant(), t.InPool, connections, t.Address is null ? NoAddress : null);
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(VirtualServerView))]
[JsonSerializable(typeof(List<VirtualServerView>))]
public sealed partial class VirtualServerJsonContext : JsonSerializerContext;
