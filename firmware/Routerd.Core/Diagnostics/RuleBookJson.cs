using System.Text.Json;

namespace Routerd.Core.Diagnostics;

/// <summary>Parses `nft -j -t list table inet routerd`: every chain (a base chain's hook, type and
/// policy) and every rule's handle and comment. The text comes from our own nft, but is read
/// defensively like NftSetJson: an item of an unexpected shape is skipped.</summary>
public static class RuleBookJson
{
    public static RuleBook Parse(string table, string json)
    {
        var chains = new Dictionary<string, TraceChain>();
        var comments = new Dictionary<ulong, string?>();
        using var doc = JsonDocument.Parse(json);
        if (Member(doc.RootElement, "nftables") is not { ValueKind: JsonValueKind.Array } items) return new(table, chains, comments);
        foreach (var item in items.EnumerateArray())
        {
            if (Member(item, "chain") is { ValueKind: JsonValueKind.Object } chain && Text(chain, "name") is { } name && Text(chain, "table") == table)
                chains[name] = new TraceChain(name, Text(chain, "hook"), Text(chain, "type"), Text(chain, "policy"));
            else if (Member(item, "rule") is { ValueKind: JsonValueKind.Object } rule && Text(rule, "table") == table &&
                Member(rule, "handle") is { ValueKind: JsonValueKind.Number } h && h.TryGetUInt64(out ulong handle))
                comments[handle] = Text(rule, "comment");
        }
        return new RuleBook(table, chains, comments);
    }

    static JsonElement? Member(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : null;

    static string? Text(JsonElement e, string name) => Member(e, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
}
