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
/// Status: this adapter only reports what it did and saw (an apply, hostapd's STATUS answer, no
/// control socket, an error line); the decisions are the Wifi slice's (<see cref="WifiStatusRules"/>).
/// The STATUS request is handled after the reload signal, so its answer describes the new settings. Stations joining and leaving (ATTACH events, and STA-FIRST/STA-NEXT
/// after each (re)connection) go to <paramref name="station"/> and <paramref name="stationsNow"/>.</summary>
public sealed partial class HostapdService(
    string hostapd, string runDir, string logDir, ILogger log,
    Action<StationEvent> station, Action<IReadOnlyList<StationEvent>> stationsNow) : IWifiAccessPoint, IDisposable
{
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    static readonly TimeSpan StationRefresh = TimeSpan.FromSeconds(30);

    readonly Lock gate = new();
    Supervisor? supervisor;
    HostapdConfig? running;
    WifiStatus status = WifiStatus.NoRadio;
    string? lastError;
    /// <summary>Set by Apply: the monitor reconnects (after a restart) or re-checks (after a reload).</summary>
    bool reconnect, recheck;
    Thread? monitor;
    volatile bool disposed;
    /// <summary>The hostapd process whose state the status describes.</summary>
    int? checkedPid;

    /// <summary>A failure shows hostapd's latest error line, also one printed after the failure was noticed.</summary>
    public WifiStatus Status
    {
        get { lock (gate) return WifiStatusRules.Shown(status, lastError); }
    }

    public string ConfigPath => Path.Combine(runDir, HostapdConfig.FileName);

    public void Apply(HostapdConfig? config)
    {
        lock (gate)
        {
            if (config is null || !config.Enabled)
            {
                StopLocked();
                running = config;
                status = WifiStatusRules.Applied(config);
                return;
            }
            Directory.CreateDirectory(config.ControlDirectory);
            bool written = AtomicFile.Write(ConfigPath, config.Text, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (supervisor is null || running?.RestartKey != config.RestartKey)
            {
                StopLocked();
                lastError = null;
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
            else return; // the same settings: hostapd (or its supervisor) has them already
            running = config;
            status = WifiStatusRules.Applied(config);
            if (monitor is null)
            {
                monitor = new Thread(Monitor) { IsBackground = true, Name = "hostapd monitor" };
                monitor.Start();
            }
        }
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
        if (WifiStatusRules.ErrorLine(line) is not { } error) return;
        lock (gate) lastError = error;
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
                Thread.Sleep(250);
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
                        Thread.Sleep(250);
                        continue;
                    }
                    SyncStations(control);
                    lastSync = DateTime.UtcNow;
                    CheckStatus(control, config);
                }
                bool check;
                lock (gate) { check = recheck || !status.Live; recheck = false; }
                if (check) CheckStatus(control, config);
                if (DateTime.UtcNow - lastSync > StationRefresh)
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
        lock (gate) status = WifiStatusRules.Unreachable(status, running is { Enabled: true }, supervisor?.Pid, checkedPid, lastError);
    }

    void CheckStatus(HostapdControl control, HostapdConfig config)
    {
        var fields = HostapdText.Fields(control.Request("STATUS", RequestTimeout, OnEvent));
        var reported = WifiStatusRules.Reported(fields, HostapdText.Escape(config.Ssid));
        lock (gate)
        {
            if (!ReferenceEquals(config, running)) return; // a newer Apply came in meanwhile
            checkedPid = supervisor?.Pid;
            bool wasLive = status.Live;
            status = reported;
            if (reported.Live) lastError = null;
            if (reported.Live && !wasLive) LogLive(log, config.Interface);
        }
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
        stationsNow(list);
    }

    void OnEvent(string message)
    {
        if (StationEvent.Parse(message) is { } e)
        {
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
        monitor?.Join(TimeSpan.FromSeconds(3));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "hostapd (re)started for {Interface}")]
    static partial void LogStarted(ILogger log, string @interface);
    [LoggerMessage(Level = LogLevel.Information, Message = "hostapd on {Interface} re-reads its configuration")]
    static partial void LogReloaded(ILogger log, string @interface);
    [LoggerMessage(Level = LogLevel.Information, Message = "Wi-Fi on {Interface} is live with the new settings")]
    static partial void LogLive(ILogger log, string @interface);
}
