using Microsoft.AspNetCore.Http;
using Routerd.Core.Settings;
using Routerd.Core.Loop;
using Routerd.Core.Wan;

namespace Routerd.WebUi;

/// <summary>GET /api/wan/detect[?timeoutMs=N]: PPPoE discovery on the WAN port (on its VLAN device when PPPoE has a VLAN ID), for the first-setup
/// wizard ("your line speaks PPPoE: enter the ISP's username and password") and for diagnosis
/// (wan/NO_SERVER: no access concentrator on this cable, vs. a wrong password).</summary>
static class WanDetectEndpoint
{
    public static async Task<IResult> Handle(RouterApi api, int? timeoutMs)
    {
        if (api.DetectWan is not { } detect)
            return Results.Json(new ApiError("WAN detection is not available", "wan/DETECT_UNAVAILABLE"), RouterJsonContext.Default.ApiError, statusCode: 501);
        if (timeoutMs is { } t && t is < 100 or > 10_000)
            return Results.Json(new ApiError("invalid request", "request/INVALID", [new FieldError("timeoutMs", "must be between 100 and 10000")]),
                RouterJsonContext.Default.ApiError, statusCode: 400);
        // PPPoE in a VLAN: the access concentrator answers only tagged discovery, so probe on the VLAN device.
        string device = WanInterfaces.PppoePort(api.Router.State.Wan);
        try
        {
            var result = await Task.Run(() => detect(device, TimeSpan.FromMilliseconds(timeoutMs ?? 3000)));
            return Results.Json(result, RouterJsonContext.Default.WanDetection);
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            return Results.Json(new ApiError(e.Message, "wan/PORT_UNAVAILABLE", [new FieldError("wan.device", e.Message)]),
                RouterJsonContext.Default.ApiError, statusCode: 409);
        }
    }
}
