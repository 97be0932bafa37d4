using System.Text.Json;
using System.Text.Json.Serialization;
using Routerd.Core.Lan;

namespace Routerd.WebUi;

/// <summary>JSON of the web-only API shapes (sessions, password, pending change, system), source
/// generated like RouterJsonContext; camelCase on the wire.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(PasswordChange))]
[JsonSerializable(typeof(PendingView))]
[JsonSerializable(typeof(Accepted))]
public sealed partial class WebJsonContext : JsonSerializerContext;

/// <summary>POST /api/session.</summary>
public sealed record LoginRequest(string? Username, string? Password);

/// <summary>POST/GET /api/session: who is logged in, whether the first-boot password must be
/// changed first, and the token every state-changing request must send as X-CSRF-Token.</summary>
public sealed record SessionInfo(string Username, bool MustChangePassword, string CsrfToken);

/// <summary>PUT /api/admin/password.</summary>
public sealed record PasswordChange(string? Current, string? New, string? Confirm);

/// <summary>202 of a system action that runs after the answer (reboot, factory reset).</summary>
public sealed record Accepted(string Status);
