using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Platform.Processes;
using Xunit;

namespace Routerd.Tests.Processes;

/// <summary>A real child process (sh) under the supervisor.</summary>
public class SupervisorTests
{
    /// <summary>pppd without /dev/ppp says why on stderr and exits at once: the owner must have
    /// seen that line when it hears of the exit, or it decides on the bare exit status.</summary>
    [Fact]
    public async Task The_last_lines_are_seen_before_the_exit_is_reported()
    {
        var dir = Directory.CreateTempSubdirectory("rd-supervisor-").FullName;
        try
        {
            for (int run = 0; run < 20; run++)
            {
                var seen = new List<string>();
                var reported = new TaskCompletionSource<(int Code, List<string> Seen)>(TaskCreationOptions.RunContinuationsAsynchronously);
                using var supervisor = new Supervisor("child", "/bin/sh", ["-c", "echo first; echo 'why it ends' >&2; exit 3"], dir, dir, NullLogger.Instance,
                    exitReport: (code, _) => { lock (seen) reported.TrySetResult((code, [.. seen])); },
                    output: line => { lock (seen) seen.Add(line); });
                supervisor.Start();
                var (code, atExit) = await reported.Task.WaitAsync(TimeSpan.FromSeconds(10));
                Assert.Equal(3, code);
                Assert.Contains("why it ends", atExit);
                Assert.Contains("first", atExit);
                supervisor.Stop();
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task A_missing_program_is_retried_with_growing_waits_not_in_a_loop()
    {
        var dir = Directory.CreateTempSubdirectory("rd-supervisor-").FullName;
        try
        {
            using var supervisor = new Supervisor("missing", Path.Combine(dir, "no-such-program"), [], dir, dir, NullLogger.Instance);
            supervisor.Start();
            await Task.Delay(TimeSpan.FromSeconds(1.2));
            // 0.25 + 0.5 s: two retries fit in 1.2 s, a third would need 1.75 s.
            Assert.InRange(supervisor.Restarts, 1, 3);
            supervisor.Stop();
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
