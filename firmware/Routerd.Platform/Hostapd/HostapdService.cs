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
                supervisor = new Supervisor("hostapd", hostapd, [ConfigPath], runDir, logDir, log, output: Output);
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
        wake.Release();
        return new WifiApplied(config, restarted);
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
    }

    void Monitor()
    {
        HostapdControl? control = null;
        var lastSync = DateTime.MinValue;
        while (!disposed)
        {
            HostapdConfig? config;
            lock (gate)
            {
                config = running;
                if (reconnect)
                {
                    control?.Dispose();
                    control = null;
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
                    control = Attach(config);
                    if (control is null)
                    {
                        NotRunning();
                        // Try again shortly (an apply ends the wait). An inotify watch on the control
                        // directory was tried and failed in the lab VM: hostapd removes the directory
                        // when it stops and makes it again when it starts, so a watch set on the old
                        // one never fires and the monitor waited for ever (Wi-Fi never came up).
                        wake.Wait(TimeSpan.FromMilliseconds(250));
                        continue;
                    }
                    SyncStations(control);
                    lastSync = DateTime.UtcNow;
                    CheckStatus(control, config);
                }
                bool check;
                lock (gate) { check = recheck || !confirmed; recheck = false; }
                if (check) CheckStatus(control, config);
                if (stationsPresent && DateTime.UtcNow - lastSync > StationRefresh)
                {
                    SyncStations(control);
                    lastSync = DateTime.UtcNow;
                }
                if (control.Receive(TimeSpan.FromMilliseconds(check ? 250 : 1000)) is { } message) OnEvent(message);
                else control.Request("PING", RequestTimeout, OnEvent);
            }
            catch (Exception e) when (e is SocketException or TimeoutException or IOException or ObjectDisposedException)
            {
                control?.Dispose();
                control = null;
                stationsNow([]);
                NotRunning();
            }
        }
        control?.Dispose();
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
        WifiAnswered r;
        lock (gate)
        {
            if (!ReferenceEquals(config, running)) return; // a newer Apply came in meanwhile
            r = new WifiAnswered(config, fields, ssid, supervisor?.Pid);
            var verdict = WifiStatusRules.Reported(fields, ssid);
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
        var list = new List<StationEvent>();
        string reply = control.Request("STA-FIRST", RequestTimeout, OnEvent);
        // At most a few hundred stations: a guard against a reply that never ends the list.
        for (int i = 0; i < 1024 && StationEvent.ParseSta(reply) is { } sta; i++)
        {
            list.Add(sta);
            reply = control.Request($"STA-NEXT {sta.Mac}", RequestTimeout, OnEvent);
        }
        stationsPresent = list.Count > 0;
        stationsNow(list);
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

    public void Dispose()
    {
        disposed = true;
        lock (gate) StopLocked();
        wake.Release();
        monitor?.Join(TimeSpan.FromSeconds(3));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "hostapd (re)started for {Interface}")]
    static partial void LogStarted(ILogger log, string @interface);
    [LoggerMessage(Level = LogLevel.Information, Message = "hostapd on {Interface} re-reads its configuration")]
    static partial void LogReloaded(ILogger log, string @interface);
}
