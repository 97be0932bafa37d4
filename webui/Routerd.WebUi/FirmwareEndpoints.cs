using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Routerd.Core.Settings;
using Routerd.Core.Upgrade;

namespace Routerd.WebUi;

/// <summary>Firmware upgrades: GET /api/firmware (running version, the other slot, the last
/// upload's verdict and install progress) and POST /api/firmware (the bundle as the raw body,
/// streamed to the data partition — never held in memory — then checked and, if accepted,
/// installed into the other slot in the background). A board without an updater (the labs, a dev
/// machine) says so in GET (available: false, and why, beside the running version) and refuses
/// POST with 404 firmware/UNSUPPORTED before reading the body.</summary>
public static class FirmwareEndpoints
{
    public const string Route = "/api/firmware";
    /// <summary>This route's body limit (Auth/RequestGate): a root slot image packed in a bundle is
    /// under 200 MB; room to spare, but not the whole data partition.</summary>
    public const long BundleBodyBytes = 1L << 30;

    /// <summary>Why a system without an updater cannot be updated, in the owner's words.</summary>
    public const string NoUpdater = "Updates are not available on this system: it does not run from a routerd image with A/B slots (no updater is installed).";

    public static void MapFirmwareApi(this IEndpointRouteBuilder app, FirmwareUpdater? updater, string runningVersion)
    {
        app.MapGet(Route, async Task<IResult> (HttpRequest request, HttpContext context) =>
            Results.Json(updater is null ? FirmwareStatus.None(runningVersion, NoUpdater) : await Task.Run(updater.Status), RouterJsonContext.Default.FirmwareStatus));

        app.MapPost(Route, async Task<IResult> (HttpRequest request, HttpContext context) =>
        {
            if (updater is null) return Unsupported();
            bool force = false;
            if (request.Query.TryGetValue("force", out var f) && !bool.TryParse(f.ToString(), out force))
                return Refuse(400, "force must be true or false", "request/INVALID", "force");
            if (!updater.TryBeginUpload())
                return Refuse(409, "another update is being received, checked or installed", "firmware/BUSY");
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(updater.UploadPath)!);
                // Closed before RAUC opens it: RAUC refuses a bundle someone else still holds open.
                await using (var file = new FileStream(updater.UploadPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                    await request.Body.CopyToAsync(file, 1 << 16, context.RequestAborted);
            }
            catch (BadHttpRequestException e)
            {
                string code = JsonBody.CodeOf(e);
                updater.UploadFailed(code, e.Message);
                return Refuse(e.StatusCode, e.Message, code);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
            {
                updater.UploadFailed("firmware/UPLOAD_FAILED", e.Message);
                return Refuse(StatusCodes.Status500InternalServerError, $"the update could not be stored: {e.Message}", "firmware/UPLOAD_FAILED");
            }
            var verdict = await Task.Run(() => updater.CheckAndInstall(force));
            return verdict.Accepted
                ? Results.Json(updater.Job, RouterJsonContext.Default.FirmwareJob, statusCode: StatusCodes.Status202Accepted)
                : Refuse(400, verdict.Message, verdict.Code, "bundle");
        });
    }

    static IResult Unsupported() => Refuse(404, NoUpdater, "firmware/UNSUPPORTED");

    static IResult Refuse(int status, string error, string code, string? field = null) =>
        Results.Json(new ApiError(error, code, field is null ? null : [new FieldError(field, error)]), RouterJsonContext.Default.ApiError, statusCode: status);
}
