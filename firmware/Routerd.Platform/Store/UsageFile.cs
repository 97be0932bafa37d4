using System.Text;
using System.Text.Json;
using Routerd.Core.Net;
using Routerd.Core.Usage;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Store;

/// <summary>The usage history on the data partition: <c>{"version":1,"hours":[["mac",hour,up,down],…]}</c>
/// (hours since the Unix epoch, UTC; bytes). Its own file, apart from the settings: it is written
/// hourly, and a damaged one costs only the history, never a setting. Written whole to a new file
/// and renamed into place; read defensively (an entry of the wrong shape is skipped, a file that is
/// not JSON is reported and left for the next write to replace).</summary>
public static class UsageFile
{
    const int Version = 1;

    public static void Write(string path, IReadOnlyList<UsageRecord> records)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("version", Version);
            w.WriteStartArray("hours");
            foreach (var r in records)
            {
                w.WriteStartArray();
                w.WriteStringValue(r.Mac.ToString());
                w.WriteNumberValue(r.Hour);
                w.WriteNumberValue(r.Upload);
                w.WriteNumberValue(r.Download);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        AtomicFile.Write(path, Encoding.UTF8.GetString(buffer.ToArray()), FileModes.OwnerOnly, compare: false);
    }

    /// <summary>The records in the file; none when there is no file. <paramref name="problem"/> says
    /// why a file that exists could not be read (its records are then lost, nothing else is).</summary>
    public static IReadOnlyList<UsageRecord> Read(string path, out string? problem)
    {
        problem = null;
        var result = new List<UsageRecord>();
        if (!File.Exists(path)) return result;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.Number || v.GetInt32() != Version
                || !root.TryGetProperty("hours", out var hours) || hours.ValueKind != JsonValueKind.Array)
            {
                problem = $"{path} is not a version {Version} usage history";
                return result;
            }
            foreach (var e in hours.EnumerateArray())
                if (Parse(e) is { } r) result.Add(r);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            problem = $"{path} could not be read: {e.Message}";
        }
        return result;
    }

    static UsageRecord? Parse(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 4) return null;
        if (e[0].ValueKind != JsonValueKind.String || !MacAddress.TryParse(e[0].GetString(), out var mac)) return null;
        if (!Number(e[1], out long hour) || !Number(e[2], out long up) || !Number(e[3], out long down)) return null;
        return up < 0 || down < 0 ? null : new UsageRecord(mac, hour, up, down);
    }

    static bool Number(JsonElement e, out long value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value);
    }
}
