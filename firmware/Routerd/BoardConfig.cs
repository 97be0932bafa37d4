using Microsoft.Extensions.Configuration;
using Routerd.Core.Settings;
using Routerd.Core.Loop;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd;

/// <summary>Loads the board through Microsoft.Extensions.Configuration: the board JSON, then
/// ROUTERD_* environment variables, then the command line, each overriding the one before.
/// The keys are Board's own (Core/Settings/BoardReader): the reflection binder is not NativeAOT-safe.</summary>
static class BoardConfig
{
    public const string DefaultBoardFile = "/etc/routerd/board.json";

    /// <summary>Splits off "--board FILE" and the positional arguments; the rest is configuration.</summary>
    public static (Board Board, List<string> Positional) Load(string[] args)
    {
        string? boardFile = Environment.GetEnvironmentVariable("ROUTERD_BOARD");
        var config = new List<string>();
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--board" && i + 1 < args.Length) boardFile = args[++i];
            else if (args[i].StartsWith("--board=", StringComparison.Ordinal)) boardFile = args[i]["--board=".Length..];
            else if (args[i].StartsWith("--", StringComparison.Ordinal)) config.Add(args[i]);
            else positional.Add(args[i]);
        }
        boardFile ??= File.Exists(DefaultBoardFile) ? DefaultBoardFile : null;

        var builder = new ConfigurationBuilder();
        if (boardFile is not null)
        {
            if (!File.Exists(boardFile)) throw new FileNotFoundException($"board file {boardFile} does not exist", boardFile);
            builder.AddJsonFile(Path.GetFullPath(boardFile), optional: false);
        }
        var c = builder.AddEnvironmentVariables("ROUTERD_").AddCommandLine(config.ToArray()).Build();
        return (BoardReader.Read(c.AsEnumerable()), positional);
    }

    public static string ControlSocket(Board board) => Path.Combine(board.RunDir, "routerd.sock");
    /// <summary>Exists while routerd starts and its control socket does not listen yet.</summary>
    public static string StartingMarker(Board board) => StartingMarker(ControlSocket(board));
    public static string StartingMarker(string socket) => socket + ".starting";

    /// <summary>How hooks call this routerd back. A development build runs as `dotnet routerd.dll`:
    /// then the process is the dotnet host and the first argument is the assembly.</summary>
    public static HookTarget Hooks(Board board)
    {
        string self = Environment.ProcessPath ?? "routerd";
        string first = Environment.GetCommandLineArgs()[0];
        IReadOnlyList<string> command = first.EndsWith(".dll", StringComparison.Ordinal) ? [self, Path.GetFullPath(first)] : [self];
        return new HookTarget(command, ControlSocket(board));
    }
}
