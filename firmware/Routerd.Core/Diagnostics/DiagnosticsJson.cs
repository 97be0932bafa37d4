using System.Text.Json;
using System.Text.Json.Serialization;

namespace Routerd.Core.Diagnostics;

/// <summary>Source-generated JSON of the diagnostics routes (the tracer, a device's connections),
/// shared by the web API and the `routerd trace` verb; camelCase on the wire like the rest.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(TraceRequest))]
[JsonSerializable(typeof(TraceResult))]
[JsonSerializable(typeof(DeviceConnectionsView))]
[JsonSerializable(typeof(PingRequest))]
[JsonSerializable(typeof(TracerouteRequest))]
[JsonSerializable(typeof(LookupRequest))]
[JsonSerializable(typeof(ToolResult))]
[JsonSerializable(typeof(LookupResult))]
[JsonSerializable(typeof(Logs.LogView))]
[JsonSerializable(typeof(Time.TimeView))]
public sealed partial class DiagnosticsJsonContext : JsonSerializerContext;
