using System.Globalization;
using System.Text.Json.Nodes;

namespace Routerd.Bench;

/// <summary>One row of a benchmark's table: a figure, its unit, and the target it is held
/// against (if it has one), under the JSON key the issue names.</summary>
sealed record Row(string Key, string Label, double Value, string Unit, Target? Target = null)
{
    /// <summary>Bytes read better as MiB in the table; the JSON keeps the exact value.</summary>
    public (double Value, string Unit) Shown => Unit == "B" ? (Value / (1024 * 1024), "MiB") : (Value, Unit);
    public string? TargetText => Target is null ? null : Unit == "B" ? (Target with { Limit = Target.Limit / (1024 * 1024) }).Text("MiB") : Target.Text(Unit);

    public bool? Pass => Target?.Holds(Value);
}

/// <summary>A target: at most or at least <see cref="Limit"/>.</summary>
sealed record Target(double Limit, bool AtMost)
{
    public static Target Max(double limit) => new(limit, true);
    public static Target Min(double limit) => new(limit, false);
    public bool Holds(double value) => AtMost ? value <= Limit : value >= Limit;
    public string Text(string unit) => $"{(AtMost ? "≤" : "≥")} {Report.Format(Limit)} {unit}".TrimEnd();
}

/// <summary>A benchmark's result: printed as a table, written as bench/results/&lt;name&gt;.json
/// with every row's key, its target and pass/miss, and free-form notes.</summary>
sealed class Report(string name)
{
    readonly List<Row> rows = [];
    readonly JsonObject extra = [];

    public string Name => name;

    public void Add(string key, string label, double value, string unit, Target? target = null) =>
        rows.Add(new Row(key, label, value, unit, target));

    /// <summary>Details that are not a row (raw samples, conditions) go into the JSON only.</summary>
    public void Detail(string key, JsonNode? value) => extra[key] = value;

    /// <summary>Raw samples for <see cref="Detail"/>, rounded to <paramref name="digits"/>.</summary>
    public static JsonArray Samples(IEnumerable<double> values, int digits) =>
        new(values.Select(v => (JsonNode)Math.Round(v, digits)).ToArray());

    public static string Format(double v) =>
        Math.Abs(v) >= 100 ? v.ToString("0", CultureInfo.InvariantCulture)
        : Math.Abs(v) >= 10 ? v.ToString("0.0", CultureInfo.InvariantCulture)
        : v.ToString("0.000", CultureInfo.InvariantCulture);

    static string Shown(Row r) => $"{Format(r.Shown.Value)} {r.Shown.Unit}".TrimEnd();

    public void Print(TextWriter o)
    {
        int lw = Math.Max(10, rows.Max(r => r.Label.Length));
        int vw = Math.Max(8, rows.Max(r => Shown(r).Length));
        int tw = Math.Max(6, rows.Max(r => r.TargetText?.Length ?? 0));
        o.WriteLine();
        o.WriteLine($"bench {name}");
        o.WriteLine($"{"measure".PadRight(lw)}  {"value".PadLeft(vw)}  {"target".PadRight(tw)}  result");
        o.WriteLine(new string('-', lw + vw + tw + 12));
        foreach (var r in rows)
        {
            string result = r.Pass switch { true => "pass", false => "MISS", null => "" };
            o.WriteLine($"{r.Label.PadRight(lw)}  {Shown(r).PadLeft(vw)}  {(r.TargetText ?? "").PadRight(tw)}  {result}");
        }
        int misses = rows.Count(r => r.Pass == false);
        o.WriteLine(misses == 0 ? "every target met" : $"{misses} target(s) missed");
    }

    public string Write(string dir)
    {
        var json = new JsonObject
        {
            ["benchmark"] = name,
            ["when"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["host"] = Environment.MachineName,
            ["cpus"] = Environment.ProcessorCount,
            ["load_average"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null,
        };
        foreach (var r in rows) json[r.Key] = Math.Round(r.Value, 4);
        json["targets"] = new JsonObject(rows.Where(r => r.Target is not null).Select(r =>
            KeyValuePair.Create(r.Key, (JsonNode?)new JsonObject
            {
                ["target"] = r.Target!.Text(r.Unit).Replace("≤", "<=").Replace("≥", ">="),
                ["pass"] = r.Pass,
            })));
        foreach (var (k, v) in extra) json[k] = v?.DeepClone();
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, $"{name}.json");
        File.WriteAllText(file, json.ToJsonString(new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        return file;
    }
}
