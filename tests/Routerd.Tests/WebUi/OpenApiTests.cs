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
        var api = new RouterApi(reconciler, registry, null!, null!, "test", clock.GetTimestamp(), Clock: clock);
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

    /// <summary>Every optional part filled in (a null value or an empty list would hide its keys):
    /// reflection, so a setting added later is checked without this test knowing its name.</summary>
    static object Filled(Type type, int depth = 0)
    {
        var value = Activator.CreateInstance(type)!;
        if (depth > 4) return value;
        foreach (var property in type.GetProperties().Where(p => p.CanWrite))
        {
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            {
                var item = t.GetGenericArguments()[0];
                if (item == typeof(string)) continue;
                var list = Array.CreateInstance(item, 1);
                list.SetValue(Filled(item, depth + 1), 0);
                property.SetValue(value, list);
            }
            else if (t.IsClass && t != typeof(string) && t.GetConstructor(Type.EmptyTypes) is not null)
                property.SetValue(value, Filled(t, depth + 1));
            else if (property.GetValue(value) is null)
                property.SetValue(value, t == typeof(string) ? "x" : Activator.CreateInstance(t));
        }
        return value;
    }

    /// <summary>Checks each key of a JSON value against a schema, following $ref, allOf and items
    /// into nested objects and lists; returns the paths the schema does not name.</summary>
    static IEnumerable<string> Undescribed(JsonNode? value, JsonNode schema, string path)
    {
        var schemas = Document()["components"]!["schemas"]!.AsObject();
        JsonNode Resolve(JsonNode s)
        {
            var reference = (string?)(s["$ref"] ?? s["allOf"]?[0]?["$ref"]);
            return reference is null ? s : schemas[reference[(reference.LastIndexOf('/') + 1)..]]!;
        }
        schema = Resolve(schema);
        if (value is JsonArray array && schema["items"] is JsonNode items)
            return array.SelectMany(v => Undescribed(v, items, path + "[]"));
        if (value is not JsonObject obj) return [];
        var properties = schema["properties"]?.AsObject();
        if (properties is null) return [];
        return obj.SelectMany(p => properties[p.Key] is JsonNode inner
            ? Undescribed(p.Value, inner, path + "." + p.Key)
            : [path + "." + p.Key]);
    }

    [Fact]
    public void The_settings_schema_names_every_key_get_api_settings_writes()
    {
        var settings = (RouterSettings)Filled(typeof(RouterSettings));
        var json = JsonNode.Parse(RouterJson.WriteSettings(SettingsSecrets.Redact(settings)))!;
        Assert.True(json["ipv6"]?["static"] is JsonObject, "the filled settings should reach nested optional objects");
        var missing = Undescribed(json, Document()["components"]!["schemas"]!["RouterSettings"]!, "settings").ToList();
        Assert.True(missing.Count == 0, "openapi.json's RouterSettings lacks: " + string.Join(", ", missing));
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
