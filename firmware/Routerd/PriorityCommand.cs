using System.Globalization;
using System.Net;
using System.Text.Json;
using Routerd.Core.Settings;

namespace Routerd;

/// <summary>`routerd priority MAC on [for 1h | until 2026-11-24T22:00Z]` and `routerd priority MAC off`:
/// the VIP lane from the command line, through the same API call as the web UI.</summary>
static class PriorityCommand
{
    public const string Usage = "usage: routerd priority MAC on [for DURATION | until TIME] | routerd priority MAC off   (DURATION: 90s, 30m, 1h, 2d)";

    public static async Task<int> Run(string[] args)
    {
        var (board, words) = BoardConfig.Load(args);
        if (Parse(words, DateTimeOffset.UtcNow) is not { } request)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        string socket = BoardConfig.ControlSocket(board);
        ControlClient.Response response;
        try
        {
            response = await ControlClient.Send(socket, "PUT", $"api/devices/{Uri.EscapeDataString(words[0])}/priority", request.Body, RouterJsonContext.Default.PriorityRequest);
        }
        catch (ControlSocketException e)
        {
            ControlClient.CannotReach("priority", e);
            return 1;
        }
        if (response.Ok)
        {
            var device = JsonSerializer.Deserialize(response.Body, RouterJsonContext.Default.DeviceView);
            Console.WriteLine(device is null ? "done" : $"{device.Mac}: {DevicesCommand.Priority(device)}");
            return 0;
        }
        ControlClient.PrintRefusal("priority", response);
        return response.Status == (int)HttpStatusCode.NotFound ? 3 : 1;
    }

    public sealed record Request(PriorityRequest Body);

    /// <summary>MAC on|off [for DURATION | until TIME]; null when the words do not say that.</summary>
    public static Request? Parse(IReadOnlyList<string> words, DateTimeOffset now) => words switch
    {
        [_, "off"] => new(new PriorityRequest(false, null)),
        [_, "on"] => new(new PriorityRequest(true, null)),
        [_, "on", "for", var d] when Duration(d) is { } span => new(new PriorityRequest(true, now + span)),
        [_, "on", "until", var t] when DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until) => new(new PriorityRequest(true, until)),
        _ => null,
    };

    static TimeSpan? Duration(string s)
    {
        if (s.Length < 2 || !int.TryParse(s[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n <= 0) return null;
        return s[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
    }
}
