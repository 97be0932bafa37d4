using System.Diagnostics;
using System.Text;
using Routerd.Core.Settings;
using Routerd.Core.Wifi;
using Xunit;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Wifi;

public class HostapdRendererTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], WifiDevice = "wlan0", RunDir = "/run/r" };
    static readonly RouterSettings Base = FirstBoot.Settings(Board, _ => "hash");

    static HostapdConfig? Render(WifiSettings w, out IReadOnlyList<FieldError> errors)
    {
        var s = Base with { Wifi = w };
        errors = DesiredStateBuilder.Validate(s, Board, new SystemFacts(null));
        return errors.Count == 0 ? HostapdRenderer.Render(DesiredStateBuilder.Build(s, Board, new SystemFacts(null))) : null;
    }

    /// <summary>The keys a rendered file may hold: anything else would be a line smuggled in.</summary>
    static readonly HashSet<string> Keys =
    [
        "interface", "driver", "bridge", "ctrl_interface", "ctrl_interface_group", "logger_syslog", "logger_stdout",
        "logger_stdout_level", "country_code", "ieee80211d", "hw_mode", "channel", "ieee80211n", "ieee80211ac",
        "wmm_enabled", "ssid2", "utf8_ssid", "ignore_broadcast_ssid", "auth_algs", "wpa", "rsn_pairwise",
        "wpa_key_mgmt", "ieee80211w", "sae_pwe", "wpa_passphrase", "wpa_psk",
    ];

    /// <summary>Characters that have broken router config files: line ends of every kind, NUL,
    /// quotes, backslashes, '#', '=', shell and printf syntax, non-Latin letters and emoji.</summary>
    static readonly string[] Printable = ["a", "Z", "7", " ", "\"", "'", "\\", "#", "=", "$(", "`", "%s", "\\n", "wpa=0", "é", "家", "ß", "😀"];
    static readonly string[] Hostile = ["\n", "\r", "\r\n", "\0", "\t", "\v", "\f", "\u0085", "\u2028", "\u2029", "\u001b", "\u007f", "\ud83d", "\nwpa_passphrase=x"];

    [Fact]
    public void No_accepted_input_renders_an_extra_line()
    {
        var random = new Random(20261125);
        int accepted = 0;
        for (int i = 0; i < 20000; i++)
        {
            var w = new WifiSettings
            {
                Ssid = RandomText(random, 1 + random.Next(12)),
                Passphrase = random.Next(4) == 0 ? Hex(random) : RandomText(random, 4 + random.Next(20)),
                Security = random.Next(8) == 0 ? RandomText(random, 1) : new[] { "wpa2", "wpa3", "wpa2-wpa3" }[random.Next(3)],
                Country = random.Next(8) == 0 ? RandomText(random, 2) : "DE",
                Band = random.Next(2) == 0 ? "2.4" : "5",
                Hidden = random.Next(2) == 0,
            };
            var config = Render(w, out var errors);
            if (config is null)
            {
                Assert.NotEmpty(errors);
                continue;
            }
            accepted++;
            var lines = config.Text.Split('\n');
            Assert.Equal("", lines[^1]); // ends with one newline, nothing after it
            foreach (var line in lines[..^1].Where(l => !l.StartsWith('#')))
            {
                Assert.DoesNotContain('\r', line);
                Assert.False(Routerd.Core.Settings.TextRules.HasControlCharacter(line), $"control character in line '{line}'");
                Assert.Contains(line.Split('=')[0], Keys);
            }
            // Every key once; the SSID exactly the bytes given; the key exactly as given.
            var values = lines[..^1].Where(l => !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToList();
            Assert.Equal(values.Count, values.Select(v => v[0]).Distinct().Count());
            Assert.Equal(Encoding.UTF8.GetBytes(w.Ssid), Convert.FromHexString(values.Single(v => v[0] == "ssid2")[1]));
            Assert.Equal(w.Passphrase!.ToLowerInvariant(), values.Single(v => v[0] is "wpa_passphrase" or "wpa_psk")[1].ToLowerInvariant());
        }
        // The generator must reach both sides, or the test proves nothing.
        Assert.InRange(accepted, 300, 19700);
    }

    static string RandomText(Random r, int pieces)
    {
        var b = new StringBuilder();
        // Mostly printable text, with a hostile piece now and then: both outcomes stay common.
        for (int i = 0; i < pieces; i++)
            b.Append(r.Next(10) == 0 ? Hostile[r.Next(Hostile.Length)] : Printable[r.Next(Printable.Length)]);
        return b.ToString();
    }

    static string Hex(Random r)
    {
        var bytes = new byte[32];
        r.NextBytes(bytes);
        var hex = Convert.ToHexString(bytes);
        return r.Next(4) == 0 ? hex[..63] + "\n" : hex;
    }

    [Fact]
    public void Only_ssid_key_and_hidden_changes_can_be_reloaded()
    {
        var a = Render(Base.Wifi, out _)!;
        Assert.Equal(a.RestartKey, Render(Base.Wifi with { Ssid = "other", Passphrase = "another-key", Hidden = true }, out _)!.RestartKey);
        Assert.NotEqual(a.RestartKey, Render(Base.Wifi with { Security = "wpa3" }, out _)!.RestartKey);
        Assert.NotEqual(a.RestartKey, Render(Base.Wifi with { Channel = 1 }, out _)!.RestartKey);
        Assert.NotEqual(a.RestartKey, Render(Base.Wifi with { Country = "US" }, out _)!.RestartKey);
        Assert.DoesNotContain(Base.Wifi.Passphrase!, a.RestartKey);
        Assert.Equal("/run/r/hostapd", a.ControlDirectory);
    }

    /// <summary>The real hostapd parses each golden file without a complaint about a line. (It
    /// then stops at the driver: this machine has no wireless; the lab VM runs it for real.)</summary>
    [Theory]
    [InlineData("wifi-transition-5ghz")]
    [InlineData("wifi-wpa2-hex-hidden")]
    [InlineData("wifi-wpa3-sae")]
    public void Hostapd_parses_the_golden_files(string name)
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name, "expected", "hostapd.conf"));
        Assert.DoesNotContain("Line ", RunHostapd(text));
        // The check can fail: a bad value is reported with its line.
        Assert.Contains("Line ", RunHostapd(text + "wpa_key_mgmt=NONSENSE\n"));
    }

    static string RunHostapd(string config)
    {
        string dir = Directory.CreateTempSubdirectory("routerd-hostapd-").FullName;
        try
        {
            string file = Path.Combine(dir, "hostapd.conf");
            File.WriteAllText(file, config.Replace("/run/routerd/hostapd", Path.Combine(dir, "ctrl")));
            var psi = new ProcessStartInfo("unshare", ["--net", "hostapd", file]) { RedirectStandardOutput = true, RedirectStandardError = true };
            Process p;
            try { p = Process.Start(psi)!; }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("needs unshare (util-linux) and hostapd: run ./build.sh deps as root", e);
            }
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(10_000), "hostapd did not stop within 10 s");
            string all = output.Result + error.Result;
            Assert.True(all.Contains("Failed to initialize driver") || all.Contains("Line "), $"hostapd did not get to parse the file: {all}");
            return all;
        }
        finally { Directory.Delete(dir, true); }
    }
}
