using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>PPPoE mode on the host kernel, which has no PPP: pppd starts and fails at once, so
/// this checks what does not need a session, and that the status names that (wan/NO_PPP). The password reaches only the 0600 file: never a
/// process's arguments, a log or an API answer; and the failing pppd is redialled with a
/// growing wait, not hammered. (Sessions are tested in the lab VM.)</summary>
public sealed class PppoeSecretTests(PppoeSecretTests.RecordingFixture fixture) : IClassFixture<PppoeSecretTests.RecordingFixture>
{
    /// <summary>routerd runs pppd through a wrapper that appends each command line it gets
    /// (NUL-separated, as in /proc/PID/cmdline) to a file, then execs the real pppd: on this
    /// kernel pppd lives only milliseconds, too short to be caught in /proc.</summary>
    public sealed class RecordingFixture : LabFixture
    {
        public readonly string Dir = Directory.CreateTempSubdirectory("rdlab-pppd-").FullName;
        public string Record => Path.Combine(Dir, "argv");

        protected override LabOptions Options
        {
            get
            {
                string wrapper = Path.Combine(Dir, "pppd");
                File.WriteAllText(wrapper, $"#!/bin/sh\nprintf '%s\\0' \"$0\" \"$@\" >> '{Record}'\nprintf '\\n' >> '{Record}'\nexec pppd \"$@\"\n");
                File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                return new LabOptions { Tools = new Dictionary<string, string> { ["Pppd"] = wrapper } };
            }
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            Directory.Delete(Dir, recursive: true);
        }
    }

    const string Password = "lab-Secret \"pw\" #4711";
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;

    [Fact]
    public async Task The_password_stays_in_its_file_and_failed_dials_back_off()
    {
        var settings = await api.Settings();
        settings["wan"]!["mode"] = "pppoe";
        settings["wan"]!["pppoe"] = new JsonObject { ["username"] = "lab-user@isp.test", ["password"] = Password };

        using var response = await api.Put("/api/settings", settings);
        string answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT → {(int)response.StatusCode}: {answer}");
        Assert.DoesNotContain("4711", answer);

        string secretFile = Path.Combine(lab.RunDir, "pppd.secret");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secretFile));
        Assert.Contains("4711", File.ReadAllText(secretFile));

        // Three failed dials: long enough to see the waits grow, and pppd's arguments each time.
        await lab.WaitFor(() =>
        {
            AssertNoProcessHasThePassword();
            return Waits().Count >= 3;
        }, TimeSpan.FromSeconds(60), "routerd to redial pppd three times");

        var waits = Waits();
        Assert.True(waits[0] < waits[1] && waits[1] < waits[2], $"the waits between dials must grow: {string.Join(", ", waits)}");
        // Every pppd routerd started got the options file's path and nothing else.
        var lines = File.ReadAllLines(fixture.Record);
        Assert.True(lines.Length >= 3, $"pppd was started {lines.Length} times");
        foreach (var line in lines)
            Assert.Equal(["file", Path.Combine(lab.RunDir, "pppd.options")], line.Split('\0', StringSplitOptions.RemoveEmptyEntries)[1..]);
        Assert.Contains("rp-pppoe.so", File.ReadAllText(Path.Combine(lab.LogDir, "pppd.log")));

        var status = await api.GetJson("/api/status");
        Assert.Equal("pppoe", (string?)status["wan"]!["mode"]);
        // The status says why no dial can work on this kernel, not "connecting" forever.
        Assert.Equal("wan/NO_PPP", (string?)status["wan"]!["code"]);
        Assert.Contains("no PPP support", (string?)status["wan"]!["message"]);
        Assert.DoesNotContain("4711", status.ToJsonString());
        Assert.DoesNotContain("4711", (await api.Settings()).ToJsonString());

        foreach (var log in Directory.GetFiles(lab.LogDir).Concat(Directory.GetFiles(lab.OutputDir)))
            Assert.DoesNotContain("4711", File.ReadAllText(log));
        Assert.DoesNotContain("4711", lab.Routerd!.Output);
    }

    /// <summary>The waits routerd announced after each pppd exit, in seconds.</summary>
    List<double> Waits() =>
        System.Text.RegularExpressions.Regex.Matches(lab.Routerd!.Output, @"pppd exited with status \d+ .*?dialling again in ([\d.]+) s")
            .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    static void AssertNoProcessHasThePassword()
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")); }
            catch (IOException) { continue; } // the process ended meanwhile
            Assert.False(cmdline.Contains("4711"), $"process {Path.GetFileName(dir)} has the password in its arguments: {cmdline.Replace('\0', ' ')}");
        }
    }
}
