using System.Text.Json;

namespace Routerd.Core.Upgrade;

/// <summary>What an update bundle says about itself once its signature checked out (RAUC's
/// manifest: <c>[update] compatible=, version=</c>).</summary>
public sealed record BundleInfo(string Compatible, string Version, string? Build);

public static class BundleInfoJson
{
    /// <summary>Reads <c>rauc info --output-format=json</c>; null when it is not that shape.</summary>
    public static BundleInfo? Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            string? compatible = Text(root, "compatible"), version = Text(root, "version");
            return compatible is null || version is null ? null : new BundleInfo(compatible, version, Text(root, "build"));
        }
        catch (JsonException) { return null; }
    }

    internal static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
