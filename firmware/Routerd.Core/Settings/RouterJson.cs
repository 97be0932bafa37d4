using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Routerd.Core.Devices;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Core.Settings;

/// <summary>Source-generated JSON for everything routerd reads or writes as JSON (NativeAOT: no
/// reflection). camelCase on the wire, like the API and the settings export.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RouterSettings))]
[JsonSerializable(typeof(Board))]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(List<DeviceView>))]
[JsonSerializable(typeof(IReadOnlyList<DeviceView>))]
[JsonSerializable(typeof(DeviceView))]
[JsonSerializable(typeof(RouterStatus))]
[JsonSerializable(typeof(QosView))]
[JsonSerializable(typeof(DhcpHookReport))]
[JsonSerializable(typeof(Routerd.Core.Ipv6.Dhcp6HookReport))]
[JsonSerializable(typeof(Routerd.Core.Wan.PppHookReport))]
[JsonSerializable(typeof(Routerd.Core.Wan.WanDetection))]
[JsonSerializable(typeof(PriorityRequest))]
[JsonSerializable(typeof(PauseRequest))]
[JsonSerializable(typeof(NewDevice))]
[JsonSerializable(typeof(PortForward))]
[JsonSerializable(typeof(VirtualServer))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(Routerd.Core.Upgrade.FirmwareStatus))]
[JsonSerializable(typeof(Routerd.Core.Upgrade.FirmwareJob))]
public sealed partial class RouterJsonContext : JsonSerializerContext;

/// <summary>PUT /api/devices/{mac}/priority: on or off, optionally until a time.</summary>
public sealed record PriorityRequest(bool Enabled, DateTimeOffset? Until);

/// <summary>PUT /api/devices/{mac}/pause: paused (optionally until a time) or resumed, null:
/// as it is; a schedule, when given, replaces the device's weekly pause times ([] removes them).</summary>
public sealed record PauseRequest(bool? Paused, DateTimeOffset? Until, IReadOnlyList<PauseWindow>? Schedule);

/// <summary>POST /api/devices: a device named by MAC before the router has seen it.</summary>
public sealed record NewDevice(string Mac, string? Name);

/// <summary>Every refusal the API gives has this one shape: a sentence for people, a structured
/// code for programs (auth/CSRF, settings/INVALID, store/FULL, network/IP_FAILED, ...), and every
/// refused field with its message (empty when the refusal is not about a field).</summary>
public sealed record ApiError
{
    [JsonConstructor]
    public ApiError(string error, string? code, IReadOnlyList<FieldError>? errors) => (Error, Code, Errors) = (error, code, errors ?? []);
    public ApiError(string error, string? code = null) : this(error, code, null) { }
    public string Error { get; init; }
    public string? Code { get; init; }
    public IReadOnlyList<FieldError> Errors { get; init; }
}

public static class RouterJson
{
    /// <summary>Reads a settings document of any known schema version, migrating it first.</summary>
    /// <exception cref="SettingsDocumentException">not a settings document; names the field.</exception>
    public static RouterSettings ReadSettings(string json) => ReadSettings(json, migrate: true);

    /// <summary>Reads a settings document strictly: the first problem is refused naming its field
    /// — not JSON, a key given twice, a null where a value must be (an object, a list, a list's
    /// entry, a name), a lone surrogate, a schema version that is not one. <paramref name="migrate"/>:
    /// an older schema is brought up first (import); otherwise it stays as sent (PUT, which
    /// validation then refuses).</summary>
    /// <exception cref="SettingsDocumentException"/>
    public static RouterSettings ReadSettings(string json, bool migrate)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(json);
        if (Inspect(utf8) is { } problem)
            throw new SettingsDocumentException(problem.Field, problem.Message);
        try
        {
            // Migration edits the document as a tree; a document kept as sent (PUT) is read
            // straight from its bytes (a tree of a thousand devices is built for nothing).
            if (!migrate)
            {
                var first = new Utf8JsonReader(utf8);
                if (!first.Read() || first.TokenType != JsonTokenType.StartObject)
                    throw new SettingsDocumentException("", "settings must be a JSON object");
                return JsonSerializer.Deserialize(utf8, Strict) ?? throw new SettingsDocumentException("", "settings document is empty");
            }
            if (JsonNode.Parse(utf8) is not JsonObject node)
                throw new SettingsDocumentException("", "settings must be a JSON object");
            try { node = SettingsMigrations.Migrate(node); }
            catch (InvalidDataException e) { throw new SettingsDocumentException("schemaVersion", e.Message); }
            return node.Deserialize(Strict) ?? throw new SettingsDocumentException("", "settings document is empty");
        }
        catch (JsonException e)
        {
            throw new SettingsDocumentException(FieldOf(e.Path), e.Message);
        }
    }

    /// <summary>Nulls where the records say a value must be are refused (System.Text.Json takes them
    /// otherwise, and validation would meet a null it cannot name).</summary>
    static readonly JsonTypeInfo<RouterSettings> Strict = (JsonTypeInfo<RouterSettings>)new JsonSerializerOptions(RouterJsonContext.Default.Options)
    {
        RespectNullableAnnotations = true,
        AllowDuplicateProperties = false,
    }.GetTypeInfo(typeof(RouterSettings));

    /// <summary>"$.wan.dnsOverride" → "wan.dnsOverride"; "$.devices[0].mac" → "devices[0].mac".</summary>
    /// <summary>A JSON path as System.Text.Json reports it ("$.wan.device") as a field name ("wan.device").</summary>
    public static string FieldOf(string? path) => path is null or "$" ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>One pass over the text that finds what a JSON parser accepts but a settings document
    /// must not have, with the path of the first one found.</summary>
    public static (string Field, string Message)? Inspect(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
        // Per open object or array: its path, its keys so far (objects) or its next index (arrays).
        var frames = new Stack<(string Path, HashSet<string>? Keys, int Index)>();
        string? name = null;
        string At() => frames.Count == 0 ? "" : frames.Peek() is var f && f.Keys is not null
            ? (f.Path.Length == 0 ? name ?? "" : $"{f.Path}.{name}") : $"{f.Path}[{f.Index}]";
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        name = reader.GetString()!;
                        if (!frames.Peek().Keys!.Add(name)) return (At(), $"'{name}' is given twice");
                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        frames.Push((At(), reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null, 0));
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.Pop();
                        break;
                    case JsonTokenType.Null when frames.Count > 0 && frames.Peek().Keys is null:
                        return (At(), "a list entry must not be null");
                    case JsonTokenType.String:
                        reader.GetString(); // throws on a lone surrogate
                        break;
                }
                // A value ended: the next one in an array has the next index.
                if (frames.Count > 0 && frames.Peek().Keys is null)
                {
                    var top = frames.Pop();
                    frames.Push(top with { Index = top.Index + 1 });
                }
            }
        }
        catch (JsonException e) { return (At(), $"not valid JSON: {e.Message}"); }
        catch (InvalidOperationException) { return (At(), "contains an invalid character (an unpaired UTF-16 surrogate)"); }
        return null;
    }

    public static string WriteSettings(RouterSettings settings) =>
        JsonSerializer.Serialize(settings, RouterJsonContext.Default.RouterSettings);
}

/// <summary>A settings document refused before validation could look at it (not JSON, a
/// duplicate key, a null where a value must be): <see cref="Field"/> names where.</summary>
public sealed class SettingsDocumentException(string field, string message) : FormatException(message)
{
    public string Field { get; } = field;
}
