using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
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
[JsonSerializable(typeof(FieldErrorResponse))]
[JsonSerializable(typeof(List<DeviceView>))]
[JsonSerializable(typeof(IReadOnlyList<DeviceView>))]
[JsonSerializable(typeof(DeviceView))]
[JsonSerializable(typeof(RouterStatus))]
[JsonSerializable(typeof(QosView))]
[JsonSerializable(typeof(DhcpHookReport))]
[JsonSerializable(typeof(Routerd.Core.Wan.PppHookReport))]
[JsonSerializable(typeof(Routerd.Core.Wan.WanDetection))]
[JsonSerializable(typeof(PriorityRequest))]
[JsonSerializable(typeof(NewDevice))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class RouterJsonContext : JsonSerializerContext;

/// <summary>PUT /api/devices/{mac}/priority: on or off, optionally until a time.</summary>
public sealed record PriorityRequest(bool Enabled, DateTimeOffset? Until);

/// <summary>POST /api/devices: a device named by MAC before the router has seen it.</summary>
public sealed record NewDevice(string Mac, string? Name);

/// <summary>The body of a 400: every refused field with its message.</summary>
public sealed record FieldErrorResponse(string Error, IReadOnlyList<FieldError> Errors);

public static class RouterJson
{
    /// <summary>Reads a settings document of any known schema version, migrating it first.</summary>
    public static RouterSettings ReadSettings(string json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("settings must be a JSON object");
        var migrated = SettingsMigrations.Migrate(node);
        return migrated.Deserialize(RouterJsonContext.Default.RouterSettings)
            ?? throw new InvalidDataException("settings document is empty");
    }

    public static string WriteSettings(RouterSettings settings) =>
        JsonSerializer.Serialize(settings, RouterJsonContext.Default.RouterSettings);
}
