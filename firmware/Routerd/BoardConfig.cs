using Microsoft.Extensions.Configuration;
using Routerd.Core.Settings;
using Routerd.Core.Loop;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd;

/// <summary>Loads the board through Microsoft.Extensions.Configuration: the board JSON, then
/// ROUTERD_* environment variables, then the command line, each overriding the one before.
/// Read by hand into the record: the reflection binder is not NativeAOT-safe.</summary>
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
        return (Read(c), positional);
    }

    static Board Read(IConfiguration c)
    {
        var b = new Board();
        var t = c.GetSection("Tools");
        var d = c.GetSection("Defaults");
        return b with
        {
            Name = c["Name"] ?? b.Name,
            WanDevice = c["WanDevice"] ?? b.WanDevice,
            LanPorts = List(c.GetSection("LanPorts")) ?? b.LanPorts,
            LanBridge = c["LanBridge"] ?? b.LanBridge,
            WifiDevice = c["WifiDevice"] ?? b.WifiDevice,
            StateDir = c["StateDir"] ?? b.StateDir,
            RunDir = c["RunDir"] ?? b.RunDir,
            LogDir = c["LogDir"] ?? b.LogDir,
            WebPort = Int(c, "WebPort") ?? b.WebPort,
            RollbackSeconds = Int(c, "RollbackSeconds") ?? b.RollbackSeconds,
            LoginThrottle = new LoginThrottleBoard
            {
                FreeFailures = Int(c.GetSection("LoginThrottle"), "FreeFailures") ?? b.LoginThrottle.FreeFailures,
                FirstDelaySeconds = Int(c.GetSection("LoginThrottle"), "FirstDelaySeconds") ?? b.LoginThrottle.FirstDelaySeconds,
                MaxDelaySeconds = Int(c.GetSection("LoginThrottle"), "MaxDelaySeconds") ?? b.LoginThrottle.MaxDelaySeconds,
            },
            Tools = b.Tools with
            {
                Ip = t["Ip"] ?? b.Tools.Ip,
                Dnsmasq = t["Dnsmasq"] ?? b.Tools.Dnsmasq,
                Udhcpc = t["Udhcpc"] ?? b.Tools.Udhcpc,
                Tc = t["Tc"] ?? b.Tools.Tc,
                Reboot = t["Reboot"] ?? b.Tools.Reboot,
                Pppd = t["Pppd"] ?? b.Tools.Pppd,
                Hostapd = t["Hostapd"] ?? b.Tools.Hostapd,
            },
            Defaults = b.Defaults with
            {
                LanAddress = d["LanAddress"] ?? b.Defaults.LanAddress,
                DhcpStart = d["DhcpStart"] ?? b.Defaults.DhcpStart,
                DhcpEnd = d["DhcpEnd"] ?? b.Defaults.DhcpEnd,
                LeaseSeconds = Int(d, "LeaseSeconds") ?? b.Defaults.LeaseSeconds,
                WanMode = d["WanMode"] ?? b.Defaults.WanMode,
                WifiSsid = d["WifiSsid"] ?? b.Defaults.WifiSsid,
                WifiCountry = d["WifiCountry"] ?? b.Defaults.WifiCountry,
                WifiPassphrase = d["WifiPassphrase"] ?? b.Defaults.WifiPassphrase,
                AdminUsername = d["AdminUsername"] ?? b.Defaults.AdminUsername,
                AdminPassword = d["AdminPassword"] ?? b.Defaults.AdminPassword,
            },
        };
    }

    static List<string>? List(IConfigurationSection s)
    {
        var items = s.GetChildren().OrderBy(x => int.TryParse(x.Key, out int i) ? i : int.MaxValue).Select(x => x.Value).OfType<string>().ToList();
        // A plain string ("eth1 eth2") is accepted too: easier on the command line.
        if (items.Count == 0 && s.Value is { } v) items = v.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).ToList();
        return items.Count > 0 ? items : null;
    }

    static int? Int(IConfiguration c, string key) =>
        c[key] is { } v ? (int.TryParse(v, out int i) ? i : throw new FormatException($"board setting {key} = '{v}' is not a number")) : null;

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
