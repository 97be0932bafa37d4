using Routerd.Core.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Routerd.Core.Loop;

namespace Routerd.WebUi.Auth;

/// <summary>The door of the API over TCP, in this order: a session (else 401), the session's
/// CSRF token on every state-changing request (else 403, before anything runs), and the
/// first-boot password change before anything but logging in and out (else 403
/// admin/MUST_CHANGE_PASSWORD). The control socket (a root-only unix socket: no remote address)
/// is trusted and passes straight through.</summary>
public static class ApiGuard
{
    public const string CsrfHeader = "X-CSRF-Token";
    public const string MustChangeCode = "admin/MUST_CHANGE_PASSWORD";
    const string SessionItem = "routerd.session";

    public static void UseApiGuard(this WebApplication app, SessionStore sessions, Router router)
    {
        app.Use(async (context, next) =>
        {
            SecurityHeaders.Apply(context);
            var request = context.Request;
            if (!request.Path.StartsWithSegments("/api") || context.Connection.RemoteIpAddress is null || IsOpen(request))
            {
                await next(context);
                return;
            }
            var session = sessions.Touch(request.Cookies[SessionStore.CookieName]);
            if (session is null)
            {
                await Refuse(context, 401, "log in first", "auth/NO_SESSION");
                return;
            }
            if (IsStateChanging(request.Method) && !session.CsrfMatches(request.Headers[CsrfHeader].FirstOrDefault()))
            {
                await Refuse(context, 403, $"missing or wrong {CsrfHeader} header", "auth/CSRF");
                return;
            }
            if (router.Settings.Admin.MustChangePassword && !IsAccountPath(request.Path))
            {
                await Refuse(context, 403, "change the first-boot password first", MustChangeCode);
                return;
            }
            context.Items[SessionItem] = session;
            await next(context);
        });
    }

    /// <summary>The session of this request (null on the control socket or before login).</summary>
    public static Session? SessionOf(HttpContext context) => context.Items[SessionItem] as Session;

    /// <summary>Reachable without a session: the API description, and logging in (which has no
    /// session to carry a CSRF token yet; SameSite=Strict keeps other sites from using its cookie).</summary>
    static bool IsOpen(HttpRequest r) =>
        (HttpMethods.IsGet(r.Method) && r.Path.Equals("/api/openapi.json", StringComparison.Ordinal)) ||
        (HttpMethods.IsPost(r.Method) && r.Path.Equals("/api/session", StringComparison.Ordinal));

    static bool IsAccountPath(PathString path) =>
        path.Equals("/api/session", StringComparison.Ordinal) || path.Equals("/api/admin/password", StringComparison.Ordinal);

    public static bool IsStateChanging(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));

    static Task Refuse(HttpContext context, int status, string error, string code)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ApiError(error, code), RouterJsonContext.Default.ApiError);
    }
}
