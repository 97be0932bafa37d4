using Routerd.Lab;

namespace Routerd.Vm;

/// <summary>One boot of the lab VM: which scenarios run (in this order), with which routerd.</summary>
public sealed record VmRunOptions
{
    /// <summary>Scenario scripts (NAME.sh; NAME of letters, digits, '-' and '_').</summary>
    public required IReadOnlyList<string> Scenarios { get; init; }

    /// <summary>The NativeAOT routerd the guest runs as /lab/bin/routerd: $ROUTERD if set, else
    /// this checkout's artifacts/bin/routerd-linux-x64/routerd.</summary>
    public string Routerd { get; init; } = DefaultRouterd();

    /// <summary>Shell variables the guest's suite sets before the scenarios run (e.g. a benchmark's
    /// repetition count). Names are shell identifiers; values are passed verbatim, quoted.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Time for boot and power-off on top of the scenarios' own limits; on a busy 2-core
    /// machine a boot has taken 6-15 s.</summary>
    public TimeSpan BootAllowance { get; init; } = TimeSpan.FromSeconds(120);

    public int Cpus { get; init; } = 2;
    public int MemoryMb { get; init; } = 1024;

    /// <summary>Keep the run directory (share, results, console.log) after Dispose, for a look.</summary>
    public bool Keep { get; init; } = System.Environment.GetEnvironmentVariable("ROUTERD_VM_KEEP") == "1";

    public Action<string>? Log { get; init; }

    public static string DefaultRouterd() =>
        System.Environment.GetEnvironmentVariable("ROUTERD") is { Length: > 0 } env
            ? Path.GetFullPath(env)
            : Path.Combine(RouterdCommand.RepoRoot(), RouterdCommand.AotRelative);
}
