using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Routerd.Core.Settings;

/// <summary>Builds a <see cref="Board"/> from flat configuration (Microsoft.Extensions.Configuration's
/// key paths: "WanDevice", "Tools:Ip", "LanPorts:0", any case). The keys are the record's own
/// properties, found through its source-generated JSON metadata: <see cref="Board"/> is the one
/// place a board key is defined (board/*/board.json, the lab's and the VM scripts' boards are
/// checked against it by a unit test). Keys it does not know are ignored (ROUTERD_* variables
/// that are not board settings).</summary>
public static class BoardReader
{
    /// <exception cref="FormatException">a value of the wrong type (a number that is not one).</exception>
    public static Board Read(IEnumerable<KeyValuePair<string, string?>> flat)
    {
        var root = new JsonObject();
        foreach (var (key, value) in flat)
            if (value is not null) Place(root, RouterJsonContext.Default.Board, key.Split(':'), value);
        // Over the record's defaults: the source-generated reader sets an init-only member that is
        // missing from the JSON to null, not to its initializer.
        var merged = JsonSerializer.SerializeToNode(new Board(), RouterJsonContext.Default.Board)!.AsObject();
        Merge(merged, root);
        try { return merged.Deserialize(RouterJsonContext.Default.Board) ?? new Board(); }
        catch (JsonException e) { throw new FormatException($"board setting {e.Path?.TrimStart('$', '.')} is not valid: {e.Message}", e); }
    }

    static void Merge(JsonObject into, JsonObject from)
    {
        foreach (var (key, value) in from.ToList())
        {
            if (value is JsonObject o && into[key] is JsonObject existing) Merge(existing, o);
            else
            {
                from.Remove(key);
                into[key] = value;
            }
        }
    }

    /// <summary>The board's keys as paths ("WanDevice", "Tools:Ip", ...), for checks and messages.</summary>
    public static IEnumerable<string> Keys() => KeysOf(RouterJsonContext.Default.Board, "");

    static IEnumerable<string> KeysOf(JsonTypeInfo type, string prefix)
    {
        foreach (var p in type.Properties)
        {
            string key = prefix + Pascal(p.Name);
            yield return key;
            if (Nested(p) is { } inner)
                foreach (var k in KeysOf(inner, key + ":")) yield return k;
        }
    }

    static string Pascal(string camel) => char.ToUpperInvariant(camel[0]) + camel[1..];

    static JsonTypeInfo? Nested(JsonPropertyInfo p) =>
        p.PropertyType.IsClass && p.PropertyType != typeof(string) && !IsList(p) ? RouterJsonContext.Default.GetTypeInfo(p.PropertyType) : null;

    static bool IsList(JsonPropertyInfo p) => p.PropertyType == typeof(IReadOnlyList<string>);

    static void Place(JsonObject node, JsonTypeInfo type, string[] path, string value)
    {
        var p = type.Properties.FirstOrDefault(x => string.Equals(x.Name, path[0], StringComparison.OrdinalIgnoreCase));
        if (p is null) return;
        if (IsList(p))
        {
            var list = node[p.Name] as JsonArray ?? [];
            node[p.Name] = list;
            if (path.Length == 1)
                // A plain string ("eth1 eth2") is a list too: easier on the command line.
                foreach (var item in value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries)) list.Add((JsonNode)JsonValue.Create(item));
            else if (int.TryParse(path[1], out int i) && i >= 0)
            {
                while (list.Count <= i) list.Add((JsonNode?)null);
                list[i] = value;
            }
            return;
        }
        if (Nested(p) is { } inner)
        {
            if (path.Length == 1) return;
            var child = node[p.Name] as JsonObject ?? [];
            node[p.Name] = child;
            Place(child, inner, path[1..], value);
            return;
        }
        if (path.Length == 1)
            // Configuration's values are text; a switch ("--TestClock=true") must reach the reader as a JSON boolean.
            node[p.Name] = p.PropertyType == typeof(bool) && bool.TryParse(value, out bool b) ? JsonValue.Create(b) : value;
    }
}
