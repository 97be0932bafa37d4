using Routerd.Core.Settings;
using Routerd.Platform.Store;
using Routerd.Platform.Tc;
using Routerd.Core.Loop;
using Routerd.Core.Qos;

namespace Routerd;

/// <summary>`routerd render [SETTINGS.json]`: every rendered config for a settings file (or the
/// stored settings), for debugging. Touches nothing: interface names are not checked against
/// this machine, and no command is run.</summary>
static class RenderCommand
{
    public static int Run(string[] args)
    {
        try
        {
            var (board, positional) = BoardConfig.Load(args);
            // "auto" means this machine's first radio; a named one is rendered as named.
            if (board.WifiDevice == "auto") board = board with { WifiDevice = Platform.Hostapd.WirelessInterfaces.Resolve(null) };
            RouterSettings settings;
            if (positional.Count > 0)
                settings = RouterJson.ReadSettings(File.ReadAllText(positional[0]));
            else
            {
                // Only read: a running routerd owns the file.
                string file = Path.Combine(board.StateDir, ServeCommand.SettingsFile);
                settings = (File.Exists(file) ? LiteDbSettingsStore.ReadOnly(file) : null) ?? FirstBoot.Settings(board, _ => "");
            }
            var state = DesiredStateBuilder.Build(settings, board, new SystemFacts(null, DateTimeOffset.UtcNow));
            var rendered = Renderer.RenderAll(state, lease: null, BoardConfig.Hooks(board), TcQueues.Detect(board.Tools.Tc));
            foreach (var (name, text) in rendered.Files())
                Console.Write($"==> {name} <==\n{text}\n");
            return 0;
        }
        catch (SettingsRejectedException e)
        {
            foreach (var err in e.Errors) Console.Error.WriteLine($"routerd render: {err.Field}: {err.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidDataException or SettingsFileException or FormatException)
        {
            Console.Error.WriteLine($"routerd render: {e.Message}");
            return 1;
        }
    }
}
