using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Admin;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.WebUi.Auth;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.WebUi;

/// <summary>Logging in and out, and the admin password. The password check is deliberately slow
/// (PBKDF2), and wrong guesses slow a client down further (<see cref="LoginThrottle"/>).</summary>
public static partial class SessionEndpoints
{
    public static void MapSessionApi(this IEndpointRouteBuilder app, Router router, Board board, SessionStore sessions, LoginThrottle throttle)
    {
        var log = (app.ServiceProvider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("routerd.web");
        // Two parameters, not one HttpContext: a lambda taking only HttpContext binds to the
        // RequestDelegate overload, which drops the IResult it returns (an empty 200).
        app.MapPost("/api/session", async Task<IResult> (HttpRequest request, HttpContext context) =>
        {
            // Read whole (at most the route's few KiB) before anything else: see JsonBody.
            var (login, refusal) = await JsonBody.ReadAsync(request, WebJsonContext.Default.LoginRequest);
            if (login is null) return refusal!;
            var client = context.Connection.RemoteIpAddress;
            // The attempt counts as a failure before its password is hashed, so requests sent in
            // parallel get no more guesses than sequential ones (and no more CPU).
            if (!throttle.TryReserve(client, out var wait, out var earned)) return TooMany(context, wait);
            var admin = router.Settings.Admin;
            // The hash is checked even for a wrong user name, so timing does not tell which was wrong.
            bool? passwordOk = await PasswordCheck.Verify(login.Password ?? "", admin.PasswordHash, context.RequestAborted);
            if (passwordOk is null) return Busy(context);
            bool ok = passwordOk.Value && login.Username == admin.Username;
            if (!ok)
            {
                LogLoginFailed(log, Printable(login.Username), client?.ToString() ?? "control socket");
                return earned > TimeSpan.Zero
                    ? TooMany(context, earned)
                    : Results.Json(new ApiError("wrong user name or password", "auth/WRONG_PASSWORD"), RouterJsonContext.Default.ApiError, statusCode: 401);
            }
            throttle.Succeeded(client);
            var session = sessions.Create(admin.Username);
            context.Response.Cookies.Append(SessionStore.CookieName, session.Id, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = "/",
                // No Expires: a browser session cookie; the server ends it after the idle timeout.
            });
            return Results.Json(Info(session, router), WebJsonContext.Default.SessionInfo);
        });

        app.MapGet("/api/session", (HttpContext context) =>
            ApiGuard.SessionOf(context) is { } s
                ? Results.Json(Info(s, router), WebJsonContext.Default.SessionInfo)
                : Results.Json(new ApiError("not logged in", "auth/NO_SESSION"), RouterJsonContext.Default.ApiError, statusCode: 401));

        app.MapDelete("/api/session", (HttpContext context) =>
        {
            if (ApiGuard.SessionOf(context) is { } s) sessions.Remove(s.Id);
            context.Response.Cookies.Delete(SessionStore.CookieName, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            return Results.NoContent();
        });

        app.MapPut("/api/admin/password", async (PasswordChange change, HttpContext context) =>
        {
            var admin = router.Settings.Admin;
            bool currentOk = false;
            if (change.Current is { } c)
            {
                if (await PasswordCheck.Verify(c, admin.PasswordHash, context.RequestAborted) is not { } verified) return Busy(context);
                currentOk = verified;
            }
            var errors = PasswordRules.Check(currentOk, change.New, change.Confirm, admin.Username, board.Defaults.AdminPassword,
                [(router.Settings.Wifi.Ssid, "the Wi-Fi name"), ("routerd", "the router's name"), (Core.Lan.DnsmasqRenderer.RouterName, "the router's name")]);
            if (errors.Count > 0)
                return Results.Json(new ApiError("password not changed", "request/INVALID", errors), RouterJsonContext.Default.ApiError, statusCode: 400);
            if (ApiEndpoints.Refusal(await router.ChangeAdminPasswordAsync(PasswordHasher.Hash(change.New!))) is { } notStored) return notStored;
            // Anyone else who knew the old password is logged out; the browser that changed it stays in.
            sessions.RemoveAllExcept(ApiGuard.SessionOf(context)?.Id);
            return Results.NoContent();
        });
    }

    static SessionInfo Info(Session s, Router router) =>
        new(s.Username, router.Settings.Admin.MustChangePassword, s.CsrfToken);

    /// <summary>The user name as it may appear in a log line: printable, short.</summary>
    static string Printable(string? text) =>
        text is null ? "(none)" : new string(text.Take(32).Select(ch => char.IsControl(ch) || char.IsSurrogate(ch) ? '?' : ch).ToArray());

    [LoggerMessage(Level = LogLevel.Warning, Message = "web login failed for user '{User}' from {Client}")]
    static partial void LogLoginFailed(ILogger log, string user, string client);

    static IResult Busy(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "2";
        return Results.Json(new ApiError("the router is checking other passwords; try again in a moment", "auth/BUSY"), RouterJsonContext.Default.ApiError, statusCode: 503);
    }

    static IResult TooMany(HttpContext context, TimeSpan wait)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(new ApiError("too many wrong passwords; wait before trying again", "auth/THROTTLED"), RouterJsonContext.Default.ApiError, statusCode: 429);
    }
}
