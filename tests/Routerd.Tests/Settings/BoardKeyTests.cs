using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Settings;

/// <summary>Board keys are defined once, by the Board record (issue 16): routerd reads them
/// through its metadata (BoardReader), and every other place that writes a board — the shipped
/// board.json files, the namespace lab (Lab.cs) and the VM scripts (lib.sh) — is checked here
/// against it, so a renamed or misspelt key fails a test instead of being ignored at run time.</summary>
public partial class BoardKeyTests
{
    /// <summary>The repository's root (where Router.sln is), for tests that read shipped files.</summary>
    internal static string Repo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Router.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Router.sln not found above the test's directory");
    }

    static readonly HashSet<string> Keys = BoardReader.Keys().ToHashSet(StringComparer.Ordinal);
    static readonly HashSet<string> LastSegments = Keys.Select(k => k[(k.LastIndexOf(':') + 1)..]).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Flat_configuration_reads_into_the_record()
    {
        var board = BoardReader.Read(new Dictionary<string, string?>
        {
            ["wandevice"] = "wan9", ["LanPorts:0"] = "lan1", ["LanPorts:1"] = "lan2", ["RollbackSeconds"] = "7",
            ["Tools:Ip"] = "/sbin/ip", ["Defaults:WifiSsid"] = "home", ["LoginThrottle:FreeFailures"] = "9", ["BENCH_OUT"] = "/tmp/x",
        });
        Assert.Equal(("wan9", 7, "/sbin/ip", "home", 9), (board.WanDevice, board.RollbackSeconds, board.Tools.Ip, board.Defaults.WifiSsid, board.LoginThrottle.FreeFailures));
        Assert.Equal(["lan1", "lan2"], board.LanPorts);
        Assert.Equal("tc", board.Tools.Tc); // untouched members keep the record's defaults
        Assert.Equal(["eth1", "eth2"], BoardReader.Read(new Dictionary<string, string?> { ["LanPorts"] = "eth1 eth2" }).LanPorts);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(new Board(), RouterJsonContext.Default.Board),
            System.Text.Json.JsonSerializer.Serialize(BoardReader.Read([]), RouterJsonContext.Default.Board));
        Assert.Throws<FormatException>(() => BoardReader.Read(new Dictionary<string, string?> { ["WebPort"] = "eighty" }));
        // A switch from the command line ("--TestClock=true") is text until the reader makes it a boolean.
        Assert.True(BoardReader.Read(new Dictionary<string, string?> { ["testclock"] = "true" }).TestClock);
        Assert.False(BoardReader.Read([]).TestClock);
    }

    [Fact]
    public void A_button_named_by_its_line_keeps_the_other_defaults_and_boards_have_no_button_or_led_unless_they_say()
    {
        var board = BoardReader.Read(new Dictionary<string, string?> { ["ResetButton:Line"] = "6", ["StatusLed"] = "ACT" });
        Assert.Equal(new BoardButton { Chip = 0, Line = 6, ActiveLow = true, HoldSeconds = 10 }, board.ResetButton);
        Assert.Equal("ACT", board.StatusLed);
        Assert.Null(BoardReader.Read([]).ResetButton);
        Assert.Null(BoardReader.Read([]).StatusLed);
    }

    static IEnumerable<string> Paths(JsonNode node, string prefix) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Value is JsonObject ? Paths(p.Value, prefix + p.Key + ":") : [prefix + p.Key]),
        _ => [],
    };

    [Theory]
    [InlineData("board/x86-64/board.json")]
    [InlineData("board/rpi4/board.json")]
    public void The_shipped_boards_use_only_board_keys(string file)
    {
        var unknown = Paths(JsonNode.Parse(File.ReadAllText(Path.Combine(Repo(), file)))!, "").Where(k => !Keys.Contains(k)).ToList();
        Assert.True(unknown.Count == 0, $"{file}: not board keys: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void The_namespace_lab_writes_only_board_keys()
    {
        string source = File.ReadAllText(Path.Combine(Repo(), "tests/Routerd.Lab/Lab.cs"));
        int start = source.IndexOf("void WriteBoard()", StringComparison.Ordinal);
        Assert.True(start >= 0, "Lab.WriteBoard not found");
        string body = source[start..source.IndexOf("File.WriteAllText(BoardFile", start, StringComparison.Ordinal)];
        var keys = LabKey().Matches(body).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("WanDevice", keys);
        Assert.All(keys, k => Assert.True(LastSegments.Contains(k), $"Lab.cs writes '{k}', which is not a board key"));
    }

    [Fact]
    public void The_vm_scripts_write_only_board_keys()
    {
        string script = File.ReadAllText(Path.Combine(Repo(), "tests/Routerd.Vm/guest/lib.sh"));
        int start = script.IndexOf("routerd_board() {", StringComparison.Ordinal);
        Assert.True(start >= 0, "routerd_board not found in lib.sh");
        string body = script[start..script.IndexOf("\nJSON\n", start, StringComparison.Ordinal)];
        var keys = ShellKey().Matches(body).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("WanDevice", keys);
        // BOARD_EXTRA members the scenarios and their README pass in.
        keys.AddRange(Directory.EnumerateFiles(Path.Combine(Repo(), "tests"), "*.sh", SearchOption.AllDirectories)
            .SelectMany(f => ExtraKey().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)));
        Assert.All(keys, k => Assert.True(Keys.Contains(k), $"lib.sh writes '{k}', which is not a board key"));
    }

    [GeneratedRegex(@"\[""(\w+)""\]\s*=")]
    private static partial Regex LabKey();
    [GeneratedRegex(@"^\s*""(\w+)"":", RegexOptions.Multiline)]
    private static partial Regex ShellKey();
    [GeneratedRegex(@"BOARD_EXTRA='[^']*?""(\w+)"":")]
    private static partial Regex ExtraKey();
}
