using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Tests.Loop;
using Routerd.WebUi;
using Routerd.WebUi.Auth;
using Xunit;
using Routerd.Core.Wan;

namespace Routerd.Tests.WebUi;

/// <summary>openapi.json is hand-written: this keeps it describing every route the API maps.</summary>
public class OpenApiTests
{
    sealed class NoSystem : ISystemActions
    {
        public void FactoryReset() => throw new InvalidOperationException("not in this test");
        public void Reboot() => throw new InvalidOperationException("not in this test");
    }

    static IReadOnlyList<(string Method, string Path)> MappedApiRoutes()
    {
        var clock = new ManualClock();
        var board = new Board { WanDevice = "wan0", LanPorts = ["lan1"] };
        var registry = new Routerd.Core.Devices.DeviceRegistry(clock);
        var reconciler = TestRouter.New(board, network: new FakeNetwork("wan0", "lan1", "br-lan"), registry: registry, clock: clock);
        var app = WebApplication.CreateSlimBuilder().Build();
        var api = new RouterApi(reconciler, registry, null!, null!, "test", clock.Start);
        app.MapWebApi(api, board, new SessionStore(clock, TimeSpan.FromMinutes(30)), new LoginThrottle(clock, board.LoginThrottle), new NoSystem());
        return ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Select(m => (m.ToLowerInvariant(), e.RoutePattern.RawText!)))
            .ToList();
    }

    static JsonObject Document() => JsonNode.Parse(OpenApiDocument.Text)!.AsObject();

    [Fact]
    public void Every_mapped_api_route_is_described()
    {
        var paths = Document()["paths"]!.AsObject();
        var routes = MappedApiRoutes();
        Assert.True(routes.Count >= 17, $"expected the whole API, found {routes.Count} routes");
        var missing = routes.Where(r => paths[r.Path]?[r.Method] is null).Select(r => $"{r.Method.ToUpperInvariant()} {r.Path}").ToList();
        Assert.True(missing.Count == 0, "openapi.json lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_described_route_exists()
    {
        var routes = MappedApiRoutes().ToHashSet();
        var described = Document()["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (m.Key, p.Key)));
        var stale = described.Where(d => !routes.Contains(d)).Select(d => $"{d.Item1.ToUpperInvariant()} {d.Item2}").ToList();
        Assert.True(stale.Count == 0, "openapi.json describes routes that do not exist: " + string.Join(", ", stale));
    }

    [Fact]
    public void The_firmware_schemas_name_every_key_get_api_firmware_writes()
    {
        var schemas = Document()["components"]!["schemas"]!.AsObject();
        var status = new Routerd.Core.Upgrade.FirmwareStatus("0.1.0", "A", "good", new("B", "0.2.0", false, "good", "2026-12-03T12:00:00Z"),
            new("installing", "0.2.0", "firmware/ACCEPTED", "ok", new("writing", 40, "Copying image")),
            new("fell-back", "0.2.0", "0.1.0", "The update to 0.2.0 did not start correctly; the router went back to 0.1.0: why.")) { Unavailable = "not here" };
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(status, RouterJsonContext.Default.FirmwareStatus))!.AsObject();
        void Check(JsonObject value, string schema)
        {
            var properties = schemas[schema]!["properties"]!.AsObject();
            foreach (var (key, inner) in value)
            {
                Assert.True(properties.ContainsKey(key), $"openapi.json's {schema} lacks '{key}'");
                string? nested = (string?)(properties[key]!["$ref"] ?? properties[key]!["allOf"]?[0]?["$ref"]);
                if (nested is not null && inner is JsonObject o) Check(o, nested[(nested.LastIndexOf('/') + 1)..]);
            }
        }
        Check(json, "FirmwareStatus");
        Assert.Equal(["job", "lastUpdate", "other"], json.Where(p => p.Value is JsonObject).Select(p => p.Key).Order());
    }

    [Fact]
    public void It_is_an_openapi_3_document_whose_references_resolve()
    {
        var doc = Document();
        Assert.StartsWith("3.0", (string)doc["openapi"]!);
        var schemas = doc["components"]!["schemas"]!.AsObject();
        var refs = System.Text.RegularExpressions.Regex.Matches(OpenApiDocument.Text, "\"#/components/schemas/([A-Za-z]+)\"").Select(m => m.Groups[1].Value).Distinct();
        Assert.All(refs, r => Assert.True(schemas.ContainsKey(r), $"unresolved $ref {r}"));
    }
}

/// <summary>One error shape everywhere (issue 16): {error, code, errors:[{field, message}]}, the
/// fields list present even when empty, which the web UI's api.js reads.</summary>
public class ApiErrorShapeTests
{
    [Fact]
    public void Every_refusal_has_error_code_and_a_list_of_fields()
    {
        var plain = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(new ApiError("not logged in", "auth/NO_SESSION"), RouterJsonContext.Default.ApiError))!.AsObject();
        Assert.Equal(["error", "code", "errors"], plain.Select(p => p.Key));
        Assert.Empty(plain["errors"]!.AsArray());
        var fields = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(
            new ApiError("invalid settings", "request/INVALID", [new FieldError("lan.address", "bad")]), RouterJsonContext.Default.ApiError))!;
        Assert.Equal("lan.address", (string?)fields["errors"]![0]!["field"]);
        Assert.Equal("bad", (string?)fields["errors"]![0]!["message"]);
    }
}
