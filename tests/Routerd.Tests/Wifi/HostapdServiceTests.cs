using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wifi;
using Routerd.Platform.Hostapd;
using Xunit;
using Routerd.Core.Firewall;
using Routerd.Core.Loop;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Wifi;

/// <summary>The hostapd adapter against a stand-in: a shell script as the "hostapd" process (it
/// records starts and SIGHUPs) and this test answering on the control socket the way hostapd
/// does. The real hostapd with a real radio is exercised in the lab VM.</summary>
public sealed class HostapdServiceTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("routerd-hostapd-test-").FullName;
    string Run => Path.Combine(dir, "run");
    readonly FakeHostapdSocket fake;
    readonly ConcurrentQueue<StationEvent> events = new();
    readonly ConcurrentQueue<IReadOnlyList<StationEvent>> syncs = new();
    readonly WifiLoop loop = new();
    readonly HostapdService service;

    public HostapdServiceTests()
    {
        Directory.CreateDirectory(Run);
        string script = Path.Combine(dir, "fake-hostapd");
        // A shell cannot trap a signal that was ignored when it started (POSIX), and a test host
        // started under nohup passes SIGHUP on ignored: the stand-in first puts SIGHUP back to its
        // default (coreutils' env), as hostapd, a C program, installs its handler whatever it inherits.
        File.WriteAllText(script, "#!/bin/sh\n[ -n \"$HUP_RESET\" ] || HUP_RESET=1 exec env --default-signal=HUP \"$0\" \"$@\"\n" +
            "d=$(dirname \"$1\")/..\ntrap 'echo hup >> \"$d/signals\"' HUP\necho start >> \"$d/starts\"\nwhile :; do sleep 0.05; done\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        fake = new FakeHostapdSocket(HostapdRenderer.ControlDirectory(Run), "wlan0");
        service = new HostapdService(script, Run, dir, NullLogger.Instance, events.Enqueue, syncs.Enqueue, loop.Report);
    }

    HostapdConfig Config(WifiSettings w)
    {
        var board = new Board { WanDevice = "wan0", LanPorts = ["lan1"], WifiDevice = "wlan0", RunDir = Run };
        var s = FirstBoot.Settings(board, _ => "hash") with { Wifi = w };
        return HostapdRenderer.Render(DesiredStateBuilder.Build(s, board, new SystemFacts(null)))!;
    }

    void Eventually(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            // Once seen under load in CI (no SIGHUP in 20 s, cause unknown): say what the stand-in did.
            Assert.True(DateTime.UtcNow < until, $"timed out waiting for {what}; the stand-in started {Count("starts")} time(s) and got {Count("signals")} SIGHUP(s), status {loop.Status}");
            Thread.Sleep(50);
        }
    }

    int Count(string file) => File.Exists(Path.Combine(dir, file)) ? File.ReadAllLines(Path.Combine(dir, file)).Length : 0;

    [Fact]
    public void Status_follows_what_hostapd_runs_and_reload_or_restart_fits_the_change()
    {
        var wifi = new WifiSettings { Ssid = "Café \"x\" 😀", Passphrase = "first-key-123" };
        fake.Ssid = "something else";
        loop.Apply(service, Config(wifi));
        Eventually(() => Count("starts") == 1, "hostapd to start");
        Assert.Equal(WifiStatus.Applying, loop.Status.Code);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(service.ConfigPath));

        // hostapd reports the SSID in its own escaping; only the exact bytes count as live.
        fake.Ssid = "Caf\\xc3\\xa9 \\\"x\\\" \\xf0\\x9f\\x98\\x80";
        Eventually(() => loop.Status.Live, "the status to turn live");
        Assert.Equal(new WifiStatus(WifiStatus.Up, true, true), loop.Status);

        // A new key: SIGHUP, no restart; not live until hostapd runs the new SSID.
        loop.Apply(service, Config(wifi with { Ssid = "new", Passphrase = "second-key-123" }));
        Assert.Equal(WifiStatus.Applying, loop.Status.Code);
        Eventually(() => Count("signals") == 1, "a SIGHUP");
        fake.Ssid = "new";
        Eventually(() => loop.Status.Live, "the reload to be live");
        Assert.Equal(1, Count("starts"));

        // The same settings again: nothing at all.
        loop.Apply(service, Config(wifi with { Ssid = "new", Passphrase = "second-key-123" }));
        Assert.True(loop.Status.Live);

        // Security (PMF) changes restart hostapd.
        loop.Apply(service, Config(wifi with { Ssid = "new", Passphrase = "second-key-123", Security = "wpa3" }));
        Eventually(() => Count("starts") == 2, "a restart");
        Assert.Equal(1, Count("signals"));
        Eventually(() => loop.Status.Live, "live after the restart");

        // The key is in the 0600 file only, never on hostapd's command line.
        Assert.DoesNotContain(Directory.GetDirectories("/proc").Select(p => Path.Combine(p, "cmdline")).Where(File.Exists)
            .Select(f => { try { return File.ReadAllText(f); } catch (IOException) { return ""; } }), c => c.Contains("second-key-123"));

        loop.Apply(service, Config(wifi with { Enabled = false }));
        Assert.Equal(new WifiStatus(WifiStatus.Off, true, false), loop.Status);
        loop.Apply(service, null);
        Assert.Equal(WifiStatus.NoRadio, loop.Status);
    }

    [Fact]
    public void Stations_are_listed_on_attach_and_followed_by_events()
    {
        fake.Stations["02:00:00:00:02:01"] = -42;
        fake.Ssid = "home";
        loop.Apply(service, Config(new WifiSettings { Ssid = "home", Passphrase = "12345678" }));
        Eventually(() => syncs.Any(s => s.Count == 1), "the station list");
        Assert.Equal(new StationEvent(MacAddress.Parse("02:00:00:00:02:01"), true, -42), syncs.First(s => s.Count == 1)[0]);
        Eventually(() => fake.Attached, "ATTACH");
        fake.SendEvent("<3>AP-STA-CONNECTED 02:00:00:00:02:02 auth_alg=sae");
        fake.SendEvent("<3>AP-STA-DISCONNECTED 02:00:00:00:02:01");
        fake.SendEvent("<3>AP-STA-CONNECTED not-a-mac");
        Eventually(() => events.Count >= 2, "station events");
        Assert.Equal([new StationEvent(MacAddress.Parse("02:00:00:00:02:02"), true), new StationEvent(MacAddress.Parse("02:00:00:00:02:01"), false)], events.ToArray());
    }

    /// <summary>One DEAUTHENTICATE per station, never the broadcast one: a broadcast deauthentication
    /// on a network with protected management frames is protected with the group key, which a WPA2
    /// station without PMF ignores (seen in the lab VM, scenarios/wifi-lan-move.sh).</summary>
    [Fact]
    public void Disconnecting_the_stations_deauthenticates_each_one_on_the_main_network_and_nothing_while_off()
    {
        service.DisconnectStations(); // never started: nothing to ask
        fake.Stations["02:00:00:00:02:01"] = -42;
        fake.Stations["02:00:00:00:02:02"] = -50;
        fake.Ssid = "home";
        loop.Apply(service, Config(new WifiSettings { Ssid = "home", Passphrase = "12345678" }));
        Eventually(() => loop.Status.Live, "the status to turn live");
        Assert.Empty(fake.Deauthenticated);

        service.DisconnectStations();
        Eventually(() => fake.Deauthenticated.Count == 2, "a DEAUTHENTICATE for each station");
        Assert.Equal(["02:00:00:00:02:01", "02:00:00:00:02:02"], fake.Deauthenticated.Order().ToArray());
        Assert.Empty(fake.Stations);

        loop.Apply(service, Config(new WifiSettings { Ssid = "home", Passphrase = "12345678", Enabled = false }));
        fake.Stations["02:00:00:00:02:03"] = -60;
        service.DisconnectStations();
        Thread.Sleep(300);
        Assert.Equal(2, fake.Deauthenticated.Count);
    }

    [Fact]
    public void A_socket_bound_after_the_monitor_gave_up_on_the_old_one_is_attached_to()
    {
        fake.Dispose(); // a dead hostapd's socket file stays behind: connecting to it is refused
        loop.Apply(service, Config(new WifiSettings { Ssid = "home", Passphrase = "12345678" }));
        Eventually(() => Count("starts") == 1, "hostapd to start");
        Thread.Sleep(500); // the monitor has found the dead socket and waits
        string path = Path.Combine(HostapdRenderer.ControlDirectory(Run), "wlan0");
        File.Delete(path); // as hostapd does with a stale socket before it binds its own
        using var bound = new FakeHostapdSocket(HostapdRenderer.ControlDirectory(Run), "wlan0") { Ssid = "home" };
        Eventually(() => bound.Attached, "ATTACH on the new socket");
        Eventually(() => loop.Status.Live, "the status to turn live");
    }

    [Fact]
    public void A_hostapd_that_cannot_start_is_failed_with_its_own_words_and_retried()
    {
        fake.Dispose(); // nothing answers on the control socket: as when hostapd is gone
        string script = Path.Combine(dir, "failing-hostapd");
        File.WriteAllText(script, "#!/bin/sh\necho try >> \"$(dirname \"$1\")/../tries\"\necho 'wlan0: IEEE 802.11 Configured channel (13) not found from the channel list of current mode'\necho 'wlan0: IEEE 802.11 Hardware does not support configured channel'\necho 'Could not select hw_mode and channel. (-3)'\nexit 1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var failingLoop = new WifiLoop();
        using var failing = new HostapdService(script, Run, dir, NullLogger.Instance, _ => { }, _ => { }, failingLoop.Report);
        failingLoop.Apply(failing, Config(new WifiSettings { Ssid = "home", Passphrase = "12345678", Channel = 13 }));
        Eventually(() => failingLoop.Status.Code == WifiStatus.Failed, "wifi/FAILED");
        Assert.Equal((true, false), (failingLoop.Status.Radio, failingLoop.Status.Live));
        Eventually(() => failingLoop.Status.Message == "Could not select hw_mode and channel. (-3)", "hostapd's last error line as the message");
        Eventually(() => Count("tries") >= 2, "a restart after the failure");
    }

    public void Dispose()
    {
        service.Dispose();
        loop.Dispose();
        fake.Dispose();
        Directory.Delete(dir, true);
    }
}

/// <summary>The part of routerd's loop the adapter talks to, as the Router does it: an apply runs
/// on the loop's thread and its report is folded there at once; the adapter's later reports are
/// queued and folded in order (Router.Wifi.cs).</summary>
sealed class WifiLoop : IDisposable
{
    readonly EventLoop<Action> loop;
    volatile WifiState state = WifiState.NoRadio;

    public WifiLoop()
    {
        loop = new EventLoop<Action>("wifi test loop", a => a(), () => { }, e => throw e);
        loop.Start();
    }

    public WifiStatus Status => state.Shown;

    public void Report(WifiReport r) => loop.Post(() => state = state.Next(r));

    public void Apply(HostapdService service, HostapdConfig? config)
    {
        using var done = new ManualResetEventSlim();
        loop.Post(() =>
        {
            if (service.Apply(config) is { } did) state = state.Next(did);
            done.Set();
        });
        Assert.True(done.Wait(TimeSpan.FromSeconds(10)));
    }

    public void Dispose() => loop.Dispose();
}

/// <summary>Answers PING, ATTACH, STATUS, STA-FIRST/STA-NEXT like hostapd's control socket.</summary>
sealed class FakeHostapdSocket : IDisposable
{
    readonly Socket socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    readonly Thread thread;
    EndPoint? monitor;
    public volatile string Ssid = "";
    public readonly ConcurrentDictionary<string, int> Stations = new();
    public bool Attached => monitor is not null;

    public FakeHostapdSocket(string directory, string iface)
    {
        Directory.CreateDirectory(directory);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(directory, iface)));
        thread = new Thread(Serve) { IsBackground = true };
        thread.Start();
    }

    void Serve()
    {
        var buffer = new byte[4096];
        while (true)
        {
            EndPoint from = new UnixDomainSocketEndPoint("/x");
            int n;
            try { n = socket.ReceiveFrom(buffer, ref from); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            string command = Encoding.ASCII.GetString(buffer, 0, n);
            var macs = Stations.Keys.Order().ToList();
            string reply = command switch
            {
                "PING" => "PONG\n",
                "ATTACH" => "OK\n",
                "STATUS" => $"state=ENABLED\nbss[0]=wlan0\nssid[0]={Ssid}\nnum_sta[0]={macs.Count}\n",
                "STA-FIRST" => Sta(macs.FirstOrDefault()),
                _ when command.StartsWith("STA-NEXT ") => Sta(macs.SkipWhile(m => m != command[9..]).Skip(1).FirstOrDefault()),
                // hostapd: a deauthentication frame to that address, then the station is dropped
                // (the broadcast address: one frame to all, every station dropped).
                _ when command.StartsWith("DEAUTHENTICATE ") => Deauthenticate(command["DEAUTHENTICATE ".Length..]),
                _ => "UNKNOWN COMMAND\n",
            };
            if (command == "ATTACH") monitor = from;
            try { socket.SendTo(Encoding.UTF8.GetBytes(reply), from); }
            catch (SocketException) { }
        }
    }

    /// <summary>The addresses DEAUTHENTICATE was sent to, in order.</summary>
    public readonly ConcurrentQueue<string> Deauthenticated = new();

    string Deauthenticate(string mac)
    {
        Deauthenticated.Enqueue(mac);
        if (mac == "ff:ff:ff:ff:ff:ff") Stations.Clear();
        else Stations.TryRemove(mac, out _);
        return "OK\n";
    }

    string Sta(string? mac) => mac is null ? "" : $"{mac}\nflags=[AUTH][ASSOC][AUTHORIZED]\nsignal={Stations[mac]}\n";

    public void SendEvent(string text) => socket.SendTo(Encoding.UTF8.GetBytes(text), monitor!);

    public void Dispose() => socket.Dispose();
}
