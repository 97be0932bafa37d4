using System.Text.Json;
using LiteDB;

namespace Routerd.Platform.Store;

/// <summary>Our settings JSON as a BSON document, read with System.Text.Json: the same document
/// LiteDB's own JSON reader makes of it (numbers without a fraction or exponent become Int32 when
/// they fit, else Int64; others Double), at a fraction of the cost — a settings change with 1,000
/// forwards spent a sixth of its time in LiteDB's tokenizer. Our JSON has none of LiteDB's
/// extended-JSON objects (<c>{"$date": …}</c>); a key starting with <c>$</c> is refused rather than read differently.</summary>
public static class JsonToBson
{
    public static BsonDocument Document(string json)
    {
        using var parsed = JsonDocument.Parse(json);
        return Value(parsed.RootElement).AsDocument;
    }

    static BsonValue Value(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => Object(e),
        JsonValueKind.Array => new BsonArray(e.EnumerateArray().Select(Value)),
        JsonValueKind.String => new BsonValue(e.GetString()),
        JsonValueKind.True => new BsonValue(true),
        JsonValueKind.False => new BsonValue(false),
        JsonValueKind.Null => BsonValue.Null,
        JsonValueKind.Number => Number(e),
        _ => throw new FormatException($"unexpected JSON value {e.ValueKind}"),
    };

    static BsonDocument Object(JsonElement e)
    {
        var d = new BsonDocument();
        foreach (var p in e.EnumerateObject())
        {
            if (p.Name.StartsWith('$')) throw new FormatException($"a settings key starting with '$' ({p.Name}) would be read by LiteDB as extended JSON");
            d[p.Name] = Value(p.Value);
        }
        return d;
    }

    static BsonValue Number(JsonElement e)
    {
        var raw = e.GetRawText();
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0 && e.TryGetInt64(out long l))
            return l is >= int.MinValue and <= int.MaxValue ? new BsonValue((int)l) : new BsonValue(l);
        return new BsonValue(e.GetDouble());
    }
}
