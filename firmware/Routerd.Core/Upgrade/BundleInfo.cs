using System.Text.Json;

namespace Routerd.Core.Upgrade;

/// <summary>What an update bundle says about itself once its signature checked out (RAUC's
/// manifest: <c>[update] compatible=, version=</c>, and its root slot image's SHA-256 and size,
/// which the written slot is read back against).</summary>
public sealed record BundleInfo(string Compatible, string Version, string? Build, SlotImage? Image = null);

/// <summary>The image a bundle writes into a slot: its SHA-256 (hex) and size in bytes.</summary>
public sealed record SlotImage(string Sha256, long Size);

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
            return compatible is null || version is null ? null : new BundleInfo(compatible, version, Text(root, "build"), RootImage(root));
        }
        catch (JsonException) { return null; }
    }

    /// <summary>images: [{"rootfs": {"checksum": hex, "size": n, …}}] — the rootfs class's image.</summary>
    static SlotImage? RootImage(JsonElement root)
    {
        if (!root.TryGetProperty("images", out var images) || images.ValueKind != JsonValueKind.Array) return null;
        foreach (var entry in images.EnumerateArray())
            if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("rootfs", out var image)
                && Text(image, "checksum") is { Length: 64 } sha && sha.All(char.IsAsciiHexDigit)
                && image.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out long bytes) && bytes > 0)
                return new SlotImage(sha.ToLowerInvariant(), bytes);
        return null;
    }

    internal static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
