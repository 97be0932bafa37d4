using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Routerd.Vm;

/// <summary>Boots the lab VM once and runs a suite of scenarios in it. The guest sees a 9p share
/// (/lab) holding its PID 1 and scenario library (guest/), the scenarios, routerd (bin/routerd)
/// and the results directory it writes back; then it powers off. A guest that does not finish in
/// time is killed; no QEMU outlives the call, nor the process that made it (qemu-guard.sh).</summary>
public static partial class LabVm
{
    public static VmRunResult Run(VmRunOptions options)
    {
        var scenarios = options.Scenarios.Select(Scenario.FromFile).ToList();
        if (scenarios.Count == 0) throw new ArgumentException("no scenarios to run");
        if (scenarios.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1) is { } dup)
            throw new ArgumentException($"two scenarios are named '{dup.Key}'");
        if (options.Environment.Keys.FirstOrDefault(k => !ShellName().IsMatch(k)) is { } bad)
            throw new ArgumentException($"environment name '{bad}' is not a shell identifier");
        VmPrerequisites.Check(options.Routerd);
        var artifacts = VmArtifacts.Ensure(options.Log);

        SweepStaleRunDirectories();
        var runDir = Directory.CreateTempSubdirectory(RunDirPrefix).FullName;
        // A kept directory has no owner: the sweep leaves it for the person who asked to keep it.
        if (!options.Keep) File.WriteAllText(Path.Combine(runDir, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            string share = Path.Combine(runDir, "share");
            FillShare(share, scenarios, options);
            string console = Path.Combine(runDir, "console.log");
            var limit = options.Deadline ?? options.BootAllowance + scenarios.Aggregate(TimeSpan.Zero, (t, s) => t + s.Limit + TimeSpan.FromSeconds(10));
            options.Log?.Invoke($"booting {artifacts.KernelRelease} for {scenarios.Count} scenario(s), at most {limit.TotalSeconds:0} s; run directory {runDir}");
            var (exit, timedOut, qemuOutput, elapsed) = Boot(artifacts, share, console, options, limit);
            var result = VmRunResult.Read(runDir, share, console, scenarios, exit, timedOut, qemuOutput, elapsed, options.Keep);
            options.Log?.Invoke(result.Summary());
            return result;
        }
        catch
        {
            if (!options.Keep) Directory.Delete(runDir, recursive: true);
            throw;
        }
    }

    internal const string RunDirPrefix = "routerd-vm-", OwnerFile = "owner.pid";

    /// <summary>Removes run directories whose harness died before it could (SIGKILL, Ctrl-C);
    /// their QEMU died with it (qemu-guard.sh).</summary>
    internal static void SweepStaleRunDirectories()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), RunDirPrefix + "*"))
        {
            string owner = Path.Combine(dir, OwnerFile);
            if (!File.Exists(owner) || !int.TryParse(File.ReadAllText(owner), out int pid)) continue;
            if (Directory.Exists($"/proc/{pid}")) continue;
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { } // another harness sweeping the same directory
            catch (UnauthorizedAccessException) { }
        }
    }

    internal static void FillShare(string share, IReadOnlyList<Scenario> scenarios, VmRunOptions options)
    {
        foreach (var d in new[] { "guest", "scenarios", "bin", "results" }) Directory.CreateDirectory(Path.Combine(share, d));
        foreach (var f in Directory.GetFiles(VmPaths.Guest)) File.Copy(f, Path.Combine(share, "guest", Path.GetFileName(f)));
        File.Copy(Path.Combine(VmPaths.Recipe, "boot-modules.txt"), Path.Combine(share, "guest", "boot-modules.txt"));
        foreach (var s in scenarios) File.Copy(s.Path, Path.Combine(share, "scenarios", s.Name + ".sh"));
        File.Copy(options.Routerd, Path.Combine(share, "bin", "routerd"));
        File.WriteAllText(Path.Combine(share, "suite"), string.Concat(scenarios.Select(s => s.Name + "\n")));
        var env = new StringBuilder();
        foreach (var (name, value) in options.Environment)
        {
            // Single quotes take everything literally; a quote inside closes, escapes and reopens.
            env.Append(name).Append("='").Append(value.Replace("'", "'\\''")).Append("'\nexport ").Append(name).Append('\n');
        }
        File.WriteAllText(Path.Combine(share, "env"), env.ToString());
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ShellName();

    /// <summary>QEMU's command line for the lab VM; <paramref name="extra"/> adds devices (a data disk).</summary>
    internal static string[] QemuCommand(VmArtifacts a, string share, string console, VmRunOptions options, params string[] extra) =>
        [
            VmPaths.Qemu, "-name", "routerd-lab-vm",
            // No KVM here (LAB.md): multi-threaded TCG. An x86-64-v2 CPU (what .NET needs) boots
            // and runs routerd faster under TCG than `-cpu max`, whose AVX is emulated.
            "-accel", "tcg,thread=multi", "-M", "pc", "-cpu", "qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt",
            "-smp", options.Cpus.ToString(CultureInfo.InvariantCulture), "-m", options.MemoryMb.ToString(CultureInfo.InvariantCulture),
            // The uncompressed kernel boots straight through qboot (PVH): no bzImage decompression.
            "-bios", VmPaths.QbootRom, "-kernel", a.Kernel, "-initrd", a.Initramfs,
            "-append", "console=ttyS0 root=/dev/vda panic=-1 quiet",
            // snapshot=on: the guest writes to a throwaway overlay, the cached image stays pristine
            // and several VMs can share it.
            "-drive", $"file={a.RootImage},if=virtio,format=raw,snapshot=on",
            "-virtfs", $"local,path={share},mount_tag=lab,security_model=none",
            "-device", "virtio-rng-pci", "-nic", "none",
            "-display", "none", "-monitor", "none", "-serial", $"file:{console}",
            // The guest ends itself with a reboot (no ACPI needed); -no-reboot turns it into an exit.
            "-no-reboot",
            .. extra,
        ];

    /// <summary>QEMU under its guard (qemu-guard.sh) in a session of its own; the caller keeps the
    /// returned process's standard input open for as long as the guest may live.</summary>
    internal static Process StartQemu(string[] qemu, StringBuilder output)
    {
        var psi = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(VmPaths.Recipe, "qemu-guard.sh"));
        foreach (var arg in qemu) psi.ArgumentList.Add(arg);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start QEMU");
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    static (int? Exit, bool TimedOut, string QemuOutput, TimeSpan Elapsed) Boot(
        VmArtifacts a, string share, string console, VmRunOptions options, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var output = new StringBuilder();
        using var p = StartQemu(QemuCommand(a, share, console, options), output);
        // p.StandardInput stays open until QEMU is gone: it is the guard's lifeline.
        bool ended = p.WaitForExit(limit);
        if (!ended)
        {
            options.Log?.Invoke($"the guest did not finish within {limit.TotalSeconds:0} s: killing QEMU");
            p.StandardInput.Close();             // the guard kills QEMU...
            if (!p.WaitForExit(TimeSpan.FromSeconds(5))) p.Kill(entireProcessTree: true); // ...or we do
        }
        p.WaitForExit();
        p.StandardInput.Close();
        lock (output) return (ended ? p.ExitCode : null, !ended, output.ToString(), clock.Elapsed);
    }
}
