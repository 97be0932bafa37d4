using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Routerd.Vm;

/// <summary>What a power-cut run saw. A lost ack: after a cut the router held a value older than the
/// last change it had acknowledged (the one in flight at the cut may or may not have landed). A
/// failed boot: routerd did not serve within the limit, or served without its settings (store/RESCUE).</summary>
public sealed record PowerCutResult(int Cuts, int Acks, int LostAcks, int FailedBoots, int CutsDuringStart,
    IReadOnlyDictionary<string, int> StoreCodes, TimeSpan Elapsed, IReadOnlyList<string> Problems)
{
    public string Summary() =>
        $"{Cuts} power cuts ({CutsDuringStart} while routerd started), {Acks} acknowledged changes, {LostAcks} lost acks, {FailedBoots} failed boots, " +
        $"store codes [{string.Join(", ", StoreCodes.Select(kv => $"{kv.Key}={kv.Value}"))}], {Elapsed.TotalSeconds:0} s";
}

/// <summary>Real power cuts (issue 18): the lab VM boots again and again with one persistent data
/// disk holding routerd's state directory; each boot changes the settings through the API in a loop
/// (powercut/power-cut.sh) and QEMU is SIGKILLed at a random moment — mostly while changes are being
/// written, sometimes while routerd starts and rewrites its store. After every cut the next boot must
/// serve and hold at least the last acknowledged change.
///
/// What survives a cut: the data disk is a raw image opened with cache=none (O_DIRECT on the host).
/// Killing QEMU loses exactly what a power cut loses inside the machine — the guest kernel's page
/// cache (writes an application made but nobody flushed: LiteDB's commit without fsync sits there
/// for up to 30 s, dirty_expire) and requests QEMU had not yet completed. A write the guest's disk
/// has completed is in the image file: the host itself does not lose power, and with O_DIRECT it
/// is not parked in QEMU either. (A real drive's own volatile cache, which only a flush empties, is
/// not modelled: no QEMU cache mode drops completed writes on a kill. So the test proves that routerd
/// makes the kernel write what it acknowledges — fsync — which is also what the drive's flush needs.)</summary>
public static class PowerCuts
{
    public static readonly string Script = Path.Combine(VmPaths.Repo, "tests", "Routerd.Vm", "powercut", "power-cut.sh");

    /// <summary>How long a boot may take to serve; under TCG on a busy machine routerd's first start took 46 s.</summary>
    static readonly TimeSpan ServeLimit = TimeSpan.FromSeconds(240);
    /// <summary>From serving to the first acknowledged change: one change takes ~3.5 s under TCG.</summary>
    static readonly TimeSpan AckLimit = TimeSpan.FromSeconds(60);

    public static PowerCutResult Run(int cuts, string routerd, Action<string>? log = null, int? seed = null, double maxDelaySeconds = 3.0)
    {
        VmPrerequisites.Check(routerd);
        var artifacts = VmArtifacts.Ensure(log);
        LabVm.SweepStaleRunDirectories();
        var runDir = Directory.CreateTempSubdirectory(LabVm.RunDirPrefix + "powercut-").FullName;
        File.WriteAllText(Path.Combine(runDir, LabVm.OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var rng = seed is { } s ? new Random(s) : new Random();
        var clock = Stopwatch.StartNew();
        try
        {
            string share = Path.Combine(runDir, "share");
            var options = new VmRunOptions { Scenarios = [Script], Routerd = routerd, Log = log };
            LabVm.FillShare(share, [Scenario.FromFile(Script)], options);
            // Only what this scenario uses: every module loaded at boot costs time under TCG, 200 times over.
            File.WriteAllText(Path.Combine(share, "guest", "boot-modules.txt"), "virtio_rng\nveth\nbridge\n");
            string results = Path.Combine(share, "results", "power-cut");
            string disk = Path.Combine(runDir, "data.img");
            using (var f = File.Create(disk)) f.SetLength(64L * 1024 * 1024);
            Run("mkfs.ext4", "-q", "-F", disk);

            int acks = 0, lost = 0, failed = 0, duringStart = 0;
            var codes = new Dictionary<string, int>();
            var problems = new List<string>();
            // What the router must hold after the next cut: the last acknowledged value, or the one in flight after it.
            string? mustHold = null, mayHold = null;
            for (int round = 0; round <= cuts; round++)
            {
                File.WriteAllText(Path.Combine(share, "round"), round.ToString(CultureInfo.InvariantCulture));
                string console = Path.Combine(runDir, $"console-{round}.log");
                var output = new StringBuilder();
                using var qemu = LabVm.StartQemu(LabVm.QemuCommand(artifacts, share, console, options,
                    "-drive", $"file={disk},if=virtio,format=raw,cache=none"), output);
                string serving = Path.Combine(results, $"serving-{round}"), starting = Path.Combine(results, $"starting-{round}");
                // One cut in five lands while routerd starts (it rewrites its store file then); the others while it changes settings.
                bool cutDuringStart = round < cuts && rng.Next(5) == 0;
                var deadline = Stopwatch.StartNew();
                while (!File.Exists(cutDuringStart ? starting : serving) && !qemu.HasExited && deadline.Elapsed < ServeLimit) Thread.Sleep(50);

                if (cutDuringStart && File.Exists(starting))
                {
                    Thread.Sleep(TimeSpan.FromSeconds(rng.NextDouble() * 2.0));
                    if (!File.Exists(serving)) duringStart++;
                }
                else if (!File.Exists(serving))
                {
                    failed++;
                    problems.Add($"boot {round}: routerd did not serve within {ServeLimit.TotalSeconds:0} s (QEMU {(qemu.HasExited ? "exited" : "ran")}); " +
                        $"console:\n{Tail(console)}\nrouterd:\n{Tail(Path.Combine(results, $"routerd-{round}.log"))}\nscenario:\n{Tail(Path.Combine(results, "log"))}");
                    Cut(qemu);
                    continue;
                }
                if (File.Exists(serving))
                {
                    string held = Read(Path.Combine(results, $"boot-{round}"));
                    string code = Read(Path.Combine(results, $"store-{round}"));
                    codes[code.Length == 0 ? "ok" : code] = codes.GetValueOrDefault(code.Length == 0 ? "ok" : code) + 1;
                    if (code == "store/RESCUE")
                    {
                        failed++;
                        problems.Add($"boot {round}: routerd lost its settings (store/RESCUE)");
                    }
                    if (mustHold is not null && held != mustHold && held != mayHold)
                    {
                        lost++;
                        problems.Add($"boot {round}: holds '{held}', but '{mustHold}' was acknowledged before the cut" +
                            $"{(mayHold is null ? "" : $" (or '{mayHold}' in flight)")}; store '{code}'; " +
                            $"GET /api/forwards: {Head(Path.Combine(results, $"forwards-{round}.json"))}\n" +
                            $"GET /api/settings: {Head(Path.Combine(results, $"settings-{round}.json"))}\n" +
                            $"routerd:\n{Tail(Path.Combine(results, $"routerd-{round}.log"))}\nscenario:\n{Tail(Path.Combine(results, "log"))}");
                    }
                    mustHold = held;
                    mayHold = $"r{round}-1";
                }
                if (round == cuts)
                {
                    Cut(qemu);
                    break;
                }
                if (!cutDuringStart)
                {
                    // From the round's first acknowledged change, not from routerd serving: under TCG
                    // one change takes ~3.5 s (stop 28's CI: four cuts within 3 s of serving, none
                    // after an ack, nothing tested). The changes go on back to back, so the cut still
                    // lands at any moment of one.
                    string acked = Path.Combine(results, $"acks-{round}");
                    var wait = Stopwatch.StartNew();
                    while (!File.Exists(acked) && !qemu.HasExited && wait.Elapsed < AckLimit) Thread.Sleep(50);
                    if (!File.Exists(acked))
                        problems.Add($"boot {round}: routerd acknowledged no settings change within {AckLimit.TotalSeconds:0} s of serving; routerd:\n{Tail(Path.Combine(results, $"routerd-{round}.log"))}");
                    Thread.Sleep(TimeSpan.FromSeconds(rng.NextDouble() * maxDelaySeconds));
                }
                Cut(qemu);
                var roundAcks = ReadLines(Path.Combine(results, $"acks-{round}"));
                acks += roundAcks.Count;
                if (roundAcks.Count > 0)
                {
                    mustHold = roundAcks[^1];
                    mayHold = $"r{round}-{roundAcks.Count + 1}";
                }
                log?.Invoke($"cut {round + 1}/{cuts}: {roundAcks.Count} acks this boot (serving {Read(serving)} s after the kernel started), " +
                    $"{lost} lost so far, {failed} failed boots, {clock.Elapsed.TotalSeconds:0} s");
            }
            return new PowerCutResult(cuts, acks, lost, failed, duringStart, codes, clock.Elapsed, problems);
        }
        finally
        {
            Directory.Delete(runDir, recursive: true);
        }
    }

    /// <summary>The power cut: SIGKILL to QEMU (and its guard) at once, no shutdown of any kind.</summary>
    static void Cut(Process qemu)
    {
        if (!qemu.HasExited) qemu.Kill(entireProcessTree: true);
        qemu.WaitForExit();
    }

    static string Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "";

    static List<string> ReadLines(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToList() : [];

    /// <summary>The start of a file that may be long (the settings as the API gives them).</summary>
    static string Head(string path)
    {
        if (!File.Exists(path)) return "(none)";
        string text = File.ReadAllText(path).Trim();
        return text.Length > 800 ? text[..800] + "…" : text;
    }

    static string Tail(string path) => File.Exists(path) ? string.Join('\n', File.ReadAllLines(path).TakeLast(25)) : "(none)";

    static void Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)}: {err}");
    }
}
