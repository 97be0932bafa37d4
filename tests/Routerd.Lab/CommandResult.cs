namespace Routerd.Lab;

/// <summary>How a command the lab ran ended. <see cref="ToString"/> tells everything, so an
/// assertion message built from it explains a failure without a re-run.</summary>
public sealed record CommandResult(string Command, int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    public bool Ok => ExitCode == 0 && !TimedOut;

    /// <summary>Returns this result, or throws with the command's output if it failed.</summary>
    public CommandResult EnsureOk() =>
        Ok ? this : throw new InvalidOperationException($"command failed: {this}");

    public override string ToString() =>
        $"`{Command}` → {(TimedOut ? "timed out" : $"exit {ExitCode}")}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";

    /// <summary>Runs <paramref name="argv"/> to its end or until <paramref name="timeout"/>, when
    /// its whole process group is killed.</summary>
    public static CommandResult Run(IReadOnlyList<string> argv, TimeSpan timeout)
    {
        using var p = LabProcess.Start(argv[0], argv);
        bool ended = p.WaitForExit(timeout);
        if (!ended) p.Stop(TimeSpan.Zero);
        return new CommandResult(string.Join(' ', argv), ended ? p.ExitCode ?? -1 : 124, p.Stdout, p.Stderr, !ended);
    }
}
