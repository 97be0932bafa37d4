using System.Globalization;
using System.Text.Json;
using Routerd.Core.Diagnostics;

namespace Routerd;

/// <summary>`routerd trace tcp|udp|both PORT [--from ADDR] [--to ADDR] [--seconds N] [--json]`: the
/// connection tracer from the command line, through the same API call as the web UI's "Test this
/// forward": new connections to PORT are followed through the firewall while someone tries from
/// outside, and the path each took is printed in words, then step by step.</summary>
static class TraceCommand
{
    public const string Usage = "usage: routerd trace tcp|udp|both PORT [--from ADDRESS] [--to ADDRESS] [--seconds 1-30] [--json]";

    public static async Task<int> Run(string[] args)
    {
        string? from = null, to = null;
        int? seconds = null;
        bool json = false;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--from" && i + 1 < args.Length) from = args[++i];
            else if (args[i] == "--to" && i + 1 < args.Length) to = args[++i];
            else if (args[i] == "--seconds" && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int s)) { seconds = s; i++; }
            else if (args[i] == "--json") json = true;
            else rest.Add(args[i]);
        }
        var (board, words) = BoardConfig.Load([.. rest]);
        if (words.Count != 2 || !int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var request = new TraceRequest(words[0], from, to, port, seconds);
        int wait = Math.Clamp(seconds ?? TraceRules.DefaultSeconds, 1, TraceRules.MaxSeconds);
        Console.Error.WriteLine($"tracing new {words[0].ToUpperInvariant()} connections to port {port} for {wait} s: connect from outside now");
        ControlClient.Response response;
        try
        {
            response = await ControlClient.Send(BoardConfig.ControlSocket(board), "POST", "api/diagnostics/trace",
                JsonSerializer.Serialize(request, DiagnosticsJsonContext.Default.TraceRequest), TimeSpan.FromSeconds(wait + 15));
        }
        catch (ControlSocketException e)
        {
            ControlClient.CannotReach("trace", e);
            return 1;
        }
        if (!response.Ok)
        {
            ControlClient.PrintRefusal("trace", response);
            return 1;
        }
        if (json)
        {
            Console.WriteLine(response.Body);
            return 0;
        }
        var result = JsonSerializer.Deserialize(response.Body, DiagnosticsJsonContext.Default.TraceResult);
        if (result is null) return 1;
        Print(result, Console.Out);
        return 0;
    }

    /// <summary>The summary, then each path's steps: hook, chain, what happened.</summary>
    public static void Print(TraceResult result, TextWriter o)
    {
        o.WriteLine(result.Summary);
        int n = 0;
        foreach (var p in result.Paths)
        {
            o.WriteLine();
            o.WriteLine($"path {++n}: {p.Packets} packet{(p.Packets == 1 ? "" : "s")}, {p.Fate}{(p.NatTo is { } nat ? $" (to {nat})" : "")}");
            foreach (var s in p.Steps)
                o.WriteLine($"  {s.Hook,-11} {(s.Table == Core.Firewall.NftRenderer.TableName ? s.Chain : $"{s.Table}/{s.Chain}"),-16} {s.Words}");
        }
    }
}
