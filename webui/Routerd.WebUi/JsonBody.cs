using Routerd.Core.Settings;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Routerd.WebUi;

/// <summary>Reads a JSON request body whole, within the route's limit (<see cref="Auth.RequestGate"/>),
/// before parsing it. The minimal-API binder parses while it reads, so a hostile body could be
/// answered 400 (its first bytes are not JSON) or 413 (the limit came first) depending on how the
/// bytes arrived; read whole, an oversized body is always 413, and never more than the limit is held.</summary>
public static class JsonBody
{
    public static async Task<(T? Value, IResult? Refusal)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type) where T : class
    {
        var (text, unreadable) = await ReadTextAsync(request);
        if (text is null) return (null, unreadable);
        try
        {
            return JsonSerializer.Deserialize(text, type) is { } value
                ? (value, null)
                : (null, Refuse("the body must be a JSON object", "http/BAD_BODY", StatusCodes.Status400BadRequest));
        }
        catch (JsonException e)
        {
            // A value of the wrong type ("wanPort": "abc") is named at its field, like any refusal.
            var field = RouterJson.FieldOf(e.Path);
            return (null, Results.Json(new ApiError($"the body is not valid JSON: {e.Message}", "http/BAD_BODY",
                field.Length > 0 ? [new FieldError(field, e.Message)] : null), RouterJsonContext.Default.ApiError, statusCode: StatusCodes.Status400BadRequest));
        }
    }

    /// <summary>The whole body as text; a body Kestrel stopped reading (over the route's limit:
    /// 413 http/BODY_TOO_LARGE, as <see cref="Auth.RequestGate"/> answers when the length is
    /// declared) is refused with Kestrel's own status.</summary>
    public static async Task<(string? Text, IResult? Refusal)> ReadTextAsync(HttpRequest request)
    {
        try
        {
            using var reader = new StreamReader(request.Body);
            return (await reader.ReadToEndAsync(request.HttpContext.RequestAborted), null);
        }
        catch (BadHttpRequestException e)
        {
            return (null, Refuse(e.Message, CodeOf(e), e.StatusCode));
        }
    }

    /// <summary>The code for a body Kestrel stopped reading: over the route's limit, or malformed.</summary>
    public static string CodeOf(BadHttpRequestException e) =>
        e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "http/BODY_TOO_LARGE" : "http/BAD_BODY";

    static IResult Refuse(string error, string code, int status) =>
        Results.Json(new ApiError(error, code), RouterJsonContext.Default.ApiError, statusCode: status);
}
