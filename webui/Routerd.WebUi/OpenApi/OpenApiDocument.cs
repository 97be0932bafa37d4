using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Routerd.WebUi;

/// <summary>GET /api/openapi.json: the API description, hand-written (openapi.json next to this
/// file) and embedded; a unit test keeps it naming every mapped /api route.</summary>
public static class OpenApiDocument
{
    public const string Path = "/api/openapi.json";

    public static string Text { get; } = Load();

    public static void MapOpenApiDocument(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, () => Results.Text(Text, "application/json; charset=utf-8"));

    static string Load()
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream("openapi.json")
            ?? throw new InvalidOperationException("openapi.json is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
