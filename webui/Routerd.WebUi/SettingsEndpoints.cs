using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Firewall;
using Routerd.Core.Lan;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.WebUi;

/// <summary>Changing the settings as a whole: PUT, import and export, and the confirmation of a
/// risky change (a new LAN address) that otherwise rolls back.</summary>
public static class SettingsEndpoints
{
    public static void MapSettingsApi(this IEndpointRouteBuilder app, RouterApi api)
    {
        var router = api.Router;
        // Both read the body themselves (not through the binder) so a hostile document is a 400
        // naming its field (Settings/RouterJson.ReadSettings), never a 500 or an empty 400.
        app.MapPut("/api/settings", (HttpRequest request) => ReadAndChange(request, migrate: false, router, api));

        app.MapGet("/api/settings/export", (bool? secrets, HttpContext context) =>
        {
            context.Response.Headers.ContentDisposition = "attachment; filename=\"routerd-settings.json\"";
            var s = secrets == true ? router.Settings : SettingsSecrets.Redact(router.Settings);
            // The admin password hash stays on the router even in a full export: importing it
            // elsewhere would bring back a password the owner may have changed since.
            s = s with { Admin = s.Admin with { PasswordHash = "" } };
            return Results.Text(RouterJson.WriteSettings(s), "application/json; charset=utf-8");
        });

        app.MapPost("/api/settings/import", (HttpRequest request) => ReadAndChange(request, migrate: true, router, api));

        app.MapGet("/api/settings/pending", () => Results.Json(router.Pending, WebJsonContext.Default.PendingView));

        app.MapPost("/api/settings/confirm", async () => await router.ConfirmPendingAsync() is not { } confirmed
            ? Results.Json(new ApiError("no change is waiting for confirmation (it may have rolled back)", "settings/NOTHING_PENDING"),
                RouterJsonContext.Default.ApiError, statusCode: 409)
            : ApiEndpoints.Refusal(confirmed) ?? Results.NoContent());
    }

    static async Task<IResult> ReadAndChange(HttpRequest request, bool migrate, Router router, RouterApi api)
    {
        var (text, unreadable) = await JsonBody.ReadTextAsync(request);
        if (text is null) return unreadable!;
        RouterSettings settings;
        try
        {
            settings = RouterJson.ReadSettings(text, migrate);
        }
        catch (SettingsDocumentException e)
        {
            return Results.Json(new ApiError("not a routerd settings document", "settings/NOT_A_DOCUMENT", [new FieldError(e.Field, e.Message)]),
                RouterJsonContext.Default.ApiError, statusCode: 400);
        }
        return await Change(router, settings, api);
    }

    /// <summary>A whole-document change: 202 with the pending change when it moves the LAN
    /// address, else the usual answer (200 settings, 400 fields, 500 code).</summary>
    static async Task<IResult> Change(Router router, RouterSettings settings, RouterApi api)
    {
        var (result, pending) = await router.TryChangeWithRollbackAsync(settings);
        return pending is not null && result.Succeeded
            ? Results.Json(pending, WebJsonContext.Default.PendingView, statusCode: 202)
            : ApiEndpoints.Answer(result, api);
    }
}
