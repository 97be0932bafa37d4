using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Platform.Processes;
using System.Globalization;
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
    /// <summary>routerd was SIGKILLed: its child runs on, renamed (here: sh exec'd sleep, as unshare
    /// execs dhcpcd, which renames itself) and with a child of its own (dhcpcd's helpers). The next
    /// routerd's supervisor kills both before it starts its own.</summary>
    [Fact]
    public async Task A_child_left_by_a_killed_routerd_is_killed_with_its_children_though_it_renamed_itself()
    {
        var dir = Directory.CreateTempSubdirectory("rd-supervisor-").FullName;
        try
        {
            var helper = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            string[] args = ["-c", "sleep 300 & echo \"helper $!\"; exec sleep 301"];
            // No restart when it dies (the earlier routerd is gone): an exit report that does nothing.
            var earlier = new Supervisor("child", "/bin/sh", args, dir, dir, NullLogger.Instance, exitReport: (_, _) => { },
                output: line => { if (line.StartsWith("helper ", StringComparison.Ordinal)) helper.TrySetResult(int.Parse(line[7..], CultureInfo.InvariantCulture)); });
            earlier.Start();
            int helperPid = await helper.Task.WaitAsync(TimeSpan.FromSeconds(10));
            int leftPid = earlier.Pid!.Value;
            await WaitUntil(() => File.ReadAllText($"/proc/{leftPid}/cmdline").StartsWith("sleep", StringComparison.Ordinal));
            // The pid file holds the pid alone (what `kill $(cat child.pid)` needs); the start time is beside it.
            Assert.Equal($"{leftPid}\n", File.ReadAllText(Path.Combine(dir, "child.pid")));
            Assert.Matches(@"^\d+\n$", File.ReadAllText(Path.Combine(dir, "child.start")));

            using var next = new Supervisor("child", "/bin/sh", ["-c", "exec sleep 302"], dir, dir, NullLogger.Instance);
            next.Start();
            Assert.True(ProcessTable.IsGone(leftPid), "the child left behind still runs");
            Assert.True(ProcessTable.IsGone(helperPid), "the child's own child still runs");
            Assert.NotEqual(leftPid, next.Pid);
            next.Stop();
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>A pid file naming a process that is not the one routerd started (the pid was
    /// taken again after a reboot): the start time differs and nothing is killed.</summary>
    [Fact]
    public void A_pid_file_whose_start_time_does_not_match_kills_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("rd-supervisor-").FullName;
        using var bystander = System.Diagnostics.Process.Start("sleep", "30");
        try
        {
            long started = ProcessTable.Stat(bystander.Id)!.Value.StartTime;
            File.WriteAllText(Path.Combine(dir, "child.pid"), $"{bystander.Id}\n");
            File.WriteAllText(Path.Combine(dir, "child.start"), $"{started + 1}\n");
            using var next = new Supervisor("child", "/bin/sh", ["-c", "exec sleep 302"], dir, dir, NullLogger.Instance);
            next.Start();
            Assert.False(ProcessTable.IsGone(bystander.Id));
            next.Stop();
        }
        finally
        {
            bystander.Kill();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("4242 (dhcpcd: [manager] wan0 [ip6]) S 1 4242 4242 0 -1 4194560 118 0 0 0 0 0 0 0 20 0 1 0 98765 9699328 300 18446744073709551615 1 1 0 0 0 0 0 4096 16390 0 0 0 17 1 0 0 0 0 0", 'S', 1, 98765L)]
    [InlineData("7 (a) b) (c) Z 3 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12 0 0", 'Z', 3, 12L)]
    public void The_stat_line_is_read_from_the_last_parenthesis(string text, char state, int ppid, long start) =>
        Assert.Equal(new ProcessStat(state, ppid, start), ProcessStat.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("4242 (dhcpcd S 1")]
    [InlineData("4242 (x) S 1 2 3")]
    public void A_damaged_stat_line_is_no_process(string text) => Assert.Null(ProcessStat.Parse(text));

    static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 100 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition());
    }
}
