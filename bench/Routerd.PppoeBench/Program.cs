using System.Globalization;
using System.Text.Json.Nodes;
using Routerd.Lab;
using Routerd.Vm;

// The PPPoE benchmark: dial time by routerd vs. the same pppd options by hand (p50 of DIALS
// each, and their ratio), dead-peer detection time and recovery time, measured in the lab VM
// (software emulation: the absolute figures are slow; the ratio is the point).
int dials = args is [var n, ..] && int.TryParse(n, out int d) && d > 0 ? d : 10;
string root = RouterdCommand.RepoRoot();
string script = Path.Combine(root, "bench", "pppoe", "pppoe.sh");

using var run = LabVm.Run(new VmRunOptions
{
    Scenarios = [script],
    Environment = new Dictionary<string, string> { ["DIALS"] = dials.ToString(CultureInfo.InvariantCulture) },
    Log = m => Console.Error.WriteLine($"vm: {m}"),
});
var s = run["pppoe"];
if (!s.Passed)
{
    Console.Error.WriteLine(run.Explain("pppoe"));
    return 1;
}

static List<double> Numbers(string? text) =>
    (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToList();
static double P50(List<double> v)
{
    var o = v.Order().ToList();
    return o.Count % 2 == 1 ? o[o.Count / 2] : (o[o.Count / 2 - 1] + o[o.Count / 2]) / 2;
}

var hand = Numbers(s.Value("hand_dials"));
var routerd = Numbers(s.Value("routerd_dials"));
double handP50 = P50(hand), routerdP50 = P50(routerd);
double ratio = routerdP50 / handP50;
double deadPeer = double.Parse(s.Value("dead_peer_s")!, CultureInfo.InvariantCulture);
double recover = double.Parse(s.Value("recover_s")!, CultureInfo.InvariantCulture);

Console.WriteLine($"PPPoE in the lab VM ({dials} dials each; TCG emulation, the ratio matters, not the seconds)");
Console.WriteLine($"{"measure",-44} {"value",10}  target");
Console.WriteLine($"{"dial p50, pppd by hand (s)",-44} {handP50,10:0.00}");
Console.WriteLine($"{"dial p50, routerd told to connect (s)",-44} {routerdP50,10:0.00}");
Console.WriteLine($"{"dial_ratio (routerd / by hand)",-44} {ratio,10:0.00}  <= 1.1");
Console.WriteLine($"{"dead_peer_s (server gone → wan/PEER_DEAD)",-44} {deadPeer,10:0.0}  <= 15");
Console.WriteLine($"{"recover_s (server back → wan/UP)",-44} {recover,10:0.0}  <= 10");

var json = new JsonObject
{
    ["dial_ratio"] = Math.Round(ratio, 3),
    ["dead_peer_s"] = deadPeer,
    ["recover_s"] = recover,
    ["dial_p50_routerd_s"] = routerdP50,
    ["dial_p50_hand_s"] = handP50,
    ["dials"] = dials,
    ["hand_dials_s"] = new JsonArray(hand.Select(h => (JsonNode)h).ToArray()),
    ["routerd_dials_s"] = new JsonArray(routerd.Select(r => (JsonNode)r).ToArray()),
};
string results = Path.Combine(root, "bench", "results");
Directory.CreateDirectory(results);
File.WriteAllText(Path.Combine(results, "pppoe.json"), json.ToJsonString(new() { WriteIndented = true }) + "\n");
Console.WriteLine($"wrote {Path.Combine(results, "pppoe.json")}");
return 0;
