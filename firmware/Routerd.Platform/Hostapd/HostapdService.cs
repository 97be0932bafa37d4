using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Routerd.Core.Wifi;
using Routerd.Platform.Processes;

namespace Routerd.Platform.Hostapd;

/// <summary>Runs hostapd as a supervised child (restarted with growing delays when it dies) and
/// watches it over its control interface.
///
/// Changes: the config file is written 0600 (it holds the key; hostapd gets only its path on
/// the command line). When only the SSID, key or hidden flag changed, hostapd re-reads the file
/// on SIGHUP and keeps running — hostapd 2.10's control-socket RELOAD re-applies the config it
/// already holds in memory and does not read the file, so SIGHUP is the reload that works.
/// Everything else (radio, channel, country, security with its PMF state) restarts hostapd.
///
/// Status: this adapter decides nothing. Apply returns what it did; what it sees afterwards
/// (hostapd's STATUS answer, no control socket, an error line) goes to <paramref name="report"/>,
/// which routerd turns into loop events, and the Wifi slice decides (<see cref="WifiState"/>).
/// The STATUS request is handled after the reload signal, so its answer describes the new settings. Stations joining and leaving (ATTACH events, and STA-FIRST/STA-NEXT
/// after each (re)connection) go to <paramref name="station"/> and <paramref name="stationsNow"/>.
/// No callback is made while the adapter's lock is held.</summary>
public sealed partial class HostapdService(
    string hostapd, string runDir, string logDir, ILogger log,
    Action<StationEvent> station, Action<IReadOnlyList<StationEvent>> stationsNow, Action<WifiReport> report) : IWifiAccessPoint, IDisposable
{
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    /// <summary>A station's signal strength has no hostapd event (joins and leaves do: AP-STA-*),
    /// so while stations are associated their list is read again this often; with none, never.</summary>
    static readonly TimeSpan StationRefresh = TimeSpan.FromSeconds(30);
    /// <summary>While hostapd's socket is missing, its next output line (it prints as it sets the
    /// radio up, "AP-ENABLED" last) or an apply says when to look again; this is only the backstop.</summary>
    static readonly TimeSpan SocketBackstop = TimeSpan.FromSeconds(2);

    readonly Lock gate = new();
    Supervisor? supervisor;
    HostapdConfig? running;
    /// <summary>hostapd's last STATUS answer showed the settings last applied: no need to ask again.</summary>
    bool confirmed;
    /// <summary>Set by Apply: the monitor reconnects (after a restart) or re-checks (after a reload).</summary>
    bool reconnect, recheck;
    /// <summary>The last report sent from the monitor: the same again (a retry while hostapd
    /// starts, a STATUS asked again while it is not live) would change nothing, and is not sent.
    /// An apply clears it.</summary>
    object? lastSent;
    Thread? monitor;
    /// <summary>The last station list read was not empty, or a station joined since: signals need refreshing.</summary>
    volatile bool stationsPresent;
    /// <summary>Wakes the monitor: an apply (or the end) while it waits for something to watch.</summary>
    readonly SemaphoreSlim wake = new(0);
    /// <summary>The monitor's attached connection; <see cref="Nudge"/> interrupts its wait.</summary>
    volatile HostapdControl? attached;
    /// <summary>The monitor is looking for hostapd's socket: hostapd's output wakes it.</summary>
    volatile bool waitingForSocket;
    volatile bool disposed;

    public string ConfigPath => Path.Combine(runDir, HostapdConfig.FileName);

    public WifiApplied? Apply(HostapdConfig? config)
    {
        bool restarted = false;
        lock (gate)
        {
            lastSent = null;
            if (config is null || !config.Enabled)
            {
                StopLocked();
                running = config;
                return new WifiApplied(config, false);
            }
            Directory.CreateDirectory(config.ControlDirectory);
            bool written = AtomicFile.Write(ConfigPath, config.Text, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (supervisor is null || running?.RestartKey != config.RestartKey)
            {
                StopLocked();
                restarted = true;
                supervisor = new Supervisor("hostapd", hostapd, [ConfigPath], runDir, logDir, log, output: Output, exited: Exited);
                supervisor.Start();
                reconnect = true;
                LogStarted(log, config.Interface);
            }
            else if (written)
            {
                supervisor.Signal(Signals.SIGHUP);
                recheck = true;
                LogReloaded(log, config.Interface);
            }
            else return null; // the same settings: hostapd (or its supervisor) has them already
            running = config;
            confirmed = false;
            if (monitor is null)
            {
                monitor = new Thread(Monitor) { IsBackground = true, Name = "hostapd monitor" };
                monitor.Start();
            }
        }
        Nudge();
        return new WifiApplied(config, restarted);
    }

    /// <summary>Gets the monitor going, wherever it waits: for a socket, or on its connection
    /// (which is then spent: it attaches again, reads the stations and asks STATUS).</summary>
    void Nudge()
    {
        wake.Release();
        attached?.Interrupt();
    }

    /// <summary>hostapd died (the supervisor restarts it): its socket answers nothing any more and
    /// says nothing about it either, so the monitor is told — this replaces an idle PING.</summary>
    void Exited()
    {
        lock (gate) reconnect = true;
        Nudge();
    }

    void StopLocked()
    {
        supervisor?.Stop();
        supervisor = null;
        reconnect = true;
    }

    /// <summary>hostapd's output (INFO level and above; keys are printed only with -d, never used).</summary>
    void Output(string line)
    {
        if (WifiStatusRules.ErrorLine(line) is { } error) report(new WifiErrorLine(error));
        if (waitingForSocket) wake.Release();
    }

    void Monitor()
    {
        HostapdControl? control = null;
        long lastSync = 0; // a Stopwatch timestamp: the refresh is a duration, which NTP stepping the date must not stretch
        while (!disposed)
        {
            HostapdConfig? config;
            lock (gate)
            {
                config = running;
                if (reconnect)
                {
                    Detach(ref control);
                    reconnect = false;
                }
            }
            if (config is not { Enabled: true })
            {
                wake.Wait(); // switched off: nothing to watch until the next apply
                continue;
            }
            try
            {
                if (control is null)
                {
                    // Set before looking, so a line hostapd prints meanwhile ends the wait below.
                    waitingForSocket = true;
                    control = Attach(config);
                    if (control is null)
                    {
                        NotRunning();
                        // hostapd's next line or an apply ends the wait. (An inotify watch on the
                        // control directory failed in the lab VM: hostapd removes the directory when
                        // it stops and makes it again, so a watch on the old one never fired.)
                        wake.Wait(SocketBackstop);
                        continue;
                    }
                    waitingForSocket = false;
                    attached = control;
                    // An apply or exit between the attach and this line would be lost: look again.
                    lock (gate) if (reconnect) continue;
                    SyncStations(control);
                    lastSync = Stopwatch.GetTimestamp();
                    CheckStatus(control, config);
                }
                bool check;
                lock (gate) { check = recheck || !confirmed; recheck = false; }
                if (check) CheckStatus(control, config);
                if (stationsPresent && Stopwatch.GetElapsedTime(lastSync) > StationRefresh)
                {
                    SyncStations(control);
                    lastSync = Stopwatch.GetTimestamp();
                }
                // Until the next event, apply or exit; a STATUS not yet showing the settings is
                // asked again shortly, and station signals when they are due.
                var wait = check ? TimeSpan.FromMilliseconds(250)
                    : stationsPresent ? TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (StationRefresh - Stopwatch.GetElapsedTime(lastSync)).Ticks))
                    : Timeout.InfiniteTimeSpan;
                if (control.Receive(wait) is { } message) OnEvent(message);
            }
            catch (OperationCanceledException)
            {
                Detach(ref control); // interrupted (an apply, hostapd's exit): attach again, nothing is lost
            }
            catch (Exception e) when (e is SocketException or TimeoutException or IOException or ObjectDisposedException)
            {
                Detach(ref control);
                stationsNow([]);
                NotRunning();
            }
        }
        Detach(ref control);
    }

    void Detach(ref HostapdControl? control)
    {
        attached = null;
        control?.Dispose();
        control = null;
    }

    HostapdControl? Attach(HostapdConfig config)
    {
        HostapdControl? c = null;
        try
        {
            c = HostapdControl.Connect(config.ControlDirectory, config.Interface, runDir);
            if (c.Request("ATTACH", RequestTimeout).StartsWith("OK", StringComparison.Ordinal)) return c;
        }
        catch (Exception e) when (e is SocketException or TimeoutException or IOException) { }
        c?.Dispose();
        return null;
    }

    /// <summary>No control socket to talk to: hostapd is starting, or down and being restarted.</summary>
    void NotRunning()
    {
        WifiUnreachable r;
        lock (gate)
        {
            r = new WifiUnreachable(supervisor?.Pid);
            if (!IsNew(r)) return;
        }
        report(r);
    }

    void CheckStatus(HostapdControl control, HostapdConfig config)
    {
        var fields = HostapdText.Fields(control.Request("STATUS", RequestTimeout, OnEvent));
        string ssid = HostapdText.Escape(config.Ssid);
        string? guest = config.GuestSsid is { } g ? HostapdText.Escape(g) : null;
        WifiAnswered r;
        lock (gate)
        {
            if (!ReferenceEquals(config, running)) return; // a newer Apply came in meanwhile
            r = new WifiAnswered(config, fields, ssid, supervisor?.Pid) { EscapedGuestSsid = guest };
            var verdict = WifiStatusRules.Reported(fields, ssid, guest);
            confirmed = verdict.Live;
            if (!IsNew((config, verdict, r.Pid))) return;
        }
        report(r);
    }

    /// <summary>Under the lock: whether <paramref name="key"/> differs from the last report sent (and remembers it).</summary>
    bool IsNew(object key)
    {
        if (Equals(key, lastSent)) return false;
        lastSent = key;
        return true;
    }

    void SyncStations(HostapdControl control)
    {
        var list = Stations(control, OnEvent);
        stationsPresent = list.Count > 0;
        stationsNow(list);
    }

    /// <summary>The stations hostapd holds on <paramref name="control"/>'s network (STA-FIRST, STA-NEXT).</summary>
    static List<StationEvent> Stations(HostapdControl control, Action<string>? onEvent)
    {
        var list = new List<StationEvent>();
        string reply = control.Request("STA-FIRST", RequestTimeout, onEvent);
        // At most a few hundred stations: a guard against a reply that never ends the list.
        for (int i = 0; i < 1024 && StationEvent.ParseSta(reply) is { } sta; i++)
        {
            list.Add(sta);
            reply = control.Request($"STA-NEXT {sta.Mac}", RequestTimeout, onEvent);
        }
        return list;
    }

    void OnEvent(string message)
    {
        if (StationEvent.Parse(message) is { } e)
        {
            if (e.Connected) stationsPresent = true;
            station(e);
            return;
        }
        string name = message[(message.IndexOf('>') + 1)..].Split(' ')[0];
        if (name is "AP-ENABLED" or "AP-DISABLED")
            lock (gate) recheck = true;
        else if (name == "CTRL-EVENT-TERMINATING")
            throw new IOException("hostapd is terminating");
    }

    /// <summary>Sends every station of the main network away with a deauthentication of its own
    /// (DEAUTHENTICATE with its address: the frame, then hostapd drops it), so each rejoins and asks
    /// for an address again. Not one broadcast DEAUTHENTICATE: where the network offers protected
    /// management frames (WPA3, and the WPA2/WPA3 transition mode), the kernel protects a broadcast
    /// deauthentication with the group management key, which a WPA2 station without PMF does not
    /// hold, and it ignored the frame. In the lab VM (scenarios/wifi-lan-move.sh, transition mode) the
    /// WPA3 tablet left and rejoined, the WPA2 phone stayed associated with its old address although
    /// hostapd had already dropped it. A frame to one station is protected with that station's own
    /// key where it has one, and sent plain where it has none: each accepts its own. Only the main
    /// network's socket is asked: the guest network has its own, and keeps its stations (its subnet
    /// has not moved). Asked off the caller's thread.</summary>
    public void DisconnectStations()
    {
        HostapdConfig? config;
        lock (gate) config = supervisor is not null && running is { Enabled: true } r ? r : null;
        if (config is null) return;
        _ = Task.Run(() =>
        {
            try
            {
                using var c = HostapdControl.Connect(config.ControlDirectory, config.Interface, runDir);
                var refused = new List<string>();
                var stations = Stations(c, onEvent: null);
                foreach (var sta in stations)
                {
                    // The address comes from hostapd's own list, parsed: nothing else reaches the command.
                    string reply = c.Request($"DEAUTHENTICATE {sta.Mac}", RequestTimeout);
                    if (!reply.StartsWith("OK", StringComparison.Ordinal)) refused.Add($"{sta.Mac}: {reply.Trim()}");
                }
                if (refused.Count == 0) LogDisconnected(log, config.Interface, stations.Count);
                else LogDisconnectFailed(log, config.Interface, string.Join("; ", refused));
            }
            catch (Exception e) when (e is SocketException or TimeoutException or IOException)
            {
                LogDisconnectFailed(log, config.Interface, e.Message);
            }
        });
    }

    public void Dispose()
    {
        disposed = true;
        lock (gate) StopLocked();
        Nudge();
        monitor?.Join(TimeSpan.FromSeconds(3));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "hostapd (re)started for {Interface}")]
    static partial void LogStarted(ILogger log, string @interface);
    [LoggerMessage(Level = LogLevel.Information, Message = "hostapd on {Interface} disconnected every station ({Count}), each with a deauthentication of its own: they rejoin and ask for new addresses")]
    static partial void LogDisconnected(ILogger log, string @interface, int count);
    [LoggerMessage(Level = LogLevel.Warning, Message = "hostapd on {Interface} could not disconnect its stations: {Error}")]
    static partial void LogDisconnectFailed(ILogger log, string @interface, string error);
    [LoggerMessage(Level = LogLevel.Information, Message = "hostapd on {Interface} re-reads its configuration")]
    static partial void LogReloaded(ILogger log, string @interface);
}
