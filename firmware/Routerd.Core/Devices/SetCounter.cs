using System.Text.Json;

namespace Routerd.Core.Devices;

/// <summary>One element of an nftables set with its own counter: the element as nft prints it
/// (a MAC or an address) and what has matched it since it was added.</summary>
public readonly record struct SetCounter(string Element, long Packets, long Bytes);

/// <summary>Reads the counters of one set of the router's table (the nft adapter).</summary>
public interface ISetCounterReader
{
    IReadOnlyList<SetCounter> ReadSetCounters(string set);
}

/// <summary>Parses `nft -j list set` output. The text comes from our own nft, but is still read
/// defensively: an element without a counter or with an unexpected shape is skipped.</summary>
public static class NftSetJson
{
    public static IReadOnlyList<SetCounter> Parse(string json)
    {
        var result = new List<SetCounter>();
        using var doc = JsonDocument.Parse(json);
        if (Member(doc.RootElement, "nftables") is not { ValueKind: JsonValueKind.Array } items) return result;
        foreach (var item in items.EnumerateArray())
        {
            if (Member(item, "set") is not { } set || Member(set, "elem") is not { ValueKind: JsonValueKind.Array } elems) continue;
            foreach (var e in elems.EnumerateArray())
            {
                // Elements with a counter are objects {"elem": {"val": ..., "counter": {...}}}.
                if (Member(e, "elem") is not { } inner || Member(inner, "val") is not { ValueKind: JsonValueKind.String } val) continue;
                if (Member(inner, "counter") is not { } counter) continue;
                if (Member(counter, "packets") is { ValueKind: JsonValueKind.Number } p && p.TryGetInt64(out long packets) &&
                    Member(counter, "bytes") is { ValueKind: JsonValueKind.Number } b && b.TryGetInt64(out long bytes))
                    result.Add(new SetCounter(val.GetString()!, packets, bytes));
            }
        }
        return result;
    }

    /// <summary>A member of an object; null for a missing member or when the value is not an object.</summary>
    static JsonElement? Member(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : null;
}
