using System.Diagnostics;
using Routerd.Lab;
using Routerd.Vm;
using Xunit;

namespace Routerd.VmTests;

/// <summary>The harness's own promises: a guest that hangs is killed at the deadline with its
/// console in the explanation and no QEMU left; bad input is refused before anything boots.</summary>
public sealed class HarnessTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("routerd-vm-test-").FullName;

    string Script(string name, string text)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_guest_past_its_deadline_is_killed_and_no_QEMU_is_left()
    {
        // The guest would wait 100 s; the run allows 5 s, less than a boot takes here.
        string sleeper = Script("sleeper.sh", "# vm-timeout: 100\nsleep 100\n");
        // On a fresh machine the first run builds the kernel and root image (minutes): that is
        // not part of the kill being timed.
        VmArtifacts.Ensure();
        var clock = Stopwatch.StartNew();
        using var run = LabVm.Run(new VmRunOptions { Scenarios = [sleeper], Deadline = TimeSpan.FromSeconds(5) });
        Assert.True(run.TimedOut, run.Summary());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"the kill took {clock.Elapsed}");
        Assert.Null(run["sleeper"].ExitCode);
        Assert.Contains("killed at the run's time limit", run.Explain("sleeper"));
        var qemus = CommandResult.Run(["pgrep", "-af", run.RunDirectory], TimeSpan.FromSeconds(10));
        Assert.True(qemus.Stdout.Trim().Length == 0, $"processes of the killed run are still there:\n{qemus.Stdout}");
    }

    [Fact]
    public void A_routerd_the_guest_cannot_run_is_refused_with_the_fix()
    {
        Assert.Contains(VmPrerequisites.Problems(Path.Combine(dir, "missing", "routerd")), p => p.Contains("./build.sh build"));
        Assert.Contains(VmPrerequisites.Problems(Path.Combine(dir, "routerd.dll")), p => p.Contains("NativeAOT"));
    }

    [Theory]
    [InlineData("has space.sh")]
    [InlineData("semi;colon.sh")]
    [InlineData("not-a-script.txt")]
    public void A_scenario_name_that_could_break_the_guest_shell_is_refused(string name)
    {
        string path = Script(name, "true\n");
        var e = Assert.Throws<ArgumentException>(() => LabVm.Run(new VmRunOptions { Scenarios = [path] }));
        Assert.Contains("scenario", e.Message);
    }

    [Fact]
    public void An_environment_name_that_is_no_shell_identifier_is_refused_before_boot()
    {
        string ok = Script("ok.sh", "true\n");
        var e = Assert.Throws<ArgumentException>(() => LabVm.Run(new VmRunOptions
        {
            Scenarios = [ok],
            Environment = new Dictionary<string, string> { ["A;reboot"] = "1" },
            Deadline = TimeSpan.FromSeconds(1),
        }));
        Assert.Contains("A;reboot", e.Message);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
