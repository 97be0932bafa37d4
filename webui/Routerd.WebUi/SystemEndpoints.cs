using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Routerd.WebUi;

/// <summary>What the system page can do to the box itself. Implemented by the composition root,
/// which owns the adapters (the web layer runs no commands).</summary>
public interface ISystemActions
{
    /// <summary>First-boot settings applied, leases and sessions forgotten.</summary>
    void FactoryReset();
    /// <summary>Runs the board's reboot command.</summary>
    void Reboot();
}

public static class SystemEndpoints
{
    public static void MapSystemApi(this IEndpointRouteBuilder app, ISystemActions system)
    {
        // Done before answering: when the 202 arrives, admin/admin (must change) is back.
        app.MapPost("/api/system/factory-reset", () =>
        {
            system.FactoryReset();
            return Results.Json(new Accepted("factory settings restored"), WebJsonContext.Default.Accepted, statusCode: 202);
        });
        app.MapPost("/api/system/reboot", () => Later(system.Reboot, "rebooting"));
    }

    /// <summary>Answers first and acts a moment later, so the browser gets its answer before the box goes away.</summary>
    static IResult Later(Action action, string status)
    {
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            action();
        });
        return Results.Json(new Accepted(status), WebJsonContext.Default.Accepted, statusCode: 202);
    }
}
