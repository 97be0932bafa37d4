using Routerd.Lab;

namespace Routerd.Vm;

/// <summary>Where the tier's pieces live: the recipe and guest scripts in this project's folder of
/// the checkout, the built artifacts in a cache outside it.</summary>
public static class VmPaths
{
    public static string Repo => RouterdCommand.RepoRoot();
    /// <summary>tests/Routerd.Vm/vm: the artifact recipe (build-artifacts.sh, package and module lists).</summary>
    public static string Recipe => Path.Combine(Repo, "tests", "Routerd.Vm", "vm");
    /// <summary>tests/Routerd.Vm/guest: PID 1, the suite runner and the scenario library.</summary>
    public static string Guest => Path.Combine(Repo, "tests", "Routerd.Vm", "guest");
    /// <summary>tests/Routerd.VmTests/scenarios: the scenarios the test tier runs.</summary>
    public static string Scenarios => Path.Combine(Repo, "tests", "Routerd.VmTests", "scenarios");
    public const string QbootRom = "/usr/share/qemu/qboot.rom";
    public const string Qemu = "qemu-system-x86_64";
}
