using Routerd.Core.Devices;
using Microsoft.Extensions.Logging;
using Routerd.Core.Rendering;
using Routerd.Core.Settings;
using Routerd.Core.State;
using Routerd.Core.Status;

namespace Routerd.Core.Reconcile;

/// <summary>The outcome of a settings change: applied, refused (field errors), or failed while
/// applying (a structured code; the previous configuration was put back).</summary>
public sealed record ChangeResult(IReadOnlyList<FieldError> Errors, string? FailureCode = null, string? FailureMessage = null)
{
    public static readonly ChangeResult Applied = new([]);
    public bool Succeeded => Errors.Count == 0 && FailureCode is null;
}

/// <summary>Owns the loop of DESIGN.md: settings and observed facts in, desired state, rendered
/// config, applied in one pass. One change at a time; a refused change leaves the stored
/// settings and the running system exactly as they were.</summary>
public sealed partial class Reconciler(
    Board board,
    ISettingsStore store,
    Appliers appliers,
    HookTarget hooks,
    IWanLeaseMemory leaseMemory,
    DeviceRegistry devices,
    TimeProvider clock,
    ILogger<Reconciler> log)
{
    readonly Lock gate = new();
    RouterSettings settings = null!;
    DesiredState state = null!;
    RenderedConfig? applied;
    string? appliedSets;
    DhcpHookReport? leaseReport;
    string? lastDhcpEvent;
    WanLease? lease;
    readonly Dictionary<string, SubsystemStatus> subsystems = [];

    public RouterSettings Settings { get { lock (gate) return settings; } }
    public DesiredState State { get { lock (gate) return state; } }
    public WanLease? Lease { get { lock (gate) return lease; } }

    /// <summary>Loads the stored settings (seeding them on first boot) and applies everything,
    /// returning when that is done: the apply `routerd serve` runs in the background.</summary>
    public void Start(Func<string, string> hashPassword)
    {
        Load(hashPassword);
        ApplyInBackground().GetAwaiter().GetResult();
    }

    /// <summary>Starts applying the loaded settings on a thread of its own and returns as soon as
    /// that thread holds the reconciler, so every caller after this (the web API, the watchers)
    /// waits until the system is applied. routerd builds its web host meanwhile: the router is
    /// ready when the slower of the two is, not after both one by one.</summary>
    /// <returns>Completes when the apply is done; faults if it failed unexpectedly.</returns>
    public Task ApplyInBackground()
    {
        // Not disposed: the thread sets it once more on its way out, after this method returned.
        var holding = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            try
            {
                lock (gate)
                {
                    holding.Set();
                    ApplyLoaded();
                }
                firstApply.SetResult();
            }
            catch (Exception e) { firstApply.SetException(e); }
            finally { holding.Set(); }
        }) { IsBackground = true, Name = "routerd apply" };
        thread.Start();
        holding.Wait();
        return firstApply.Task;
    }

    readonly TaskCompletionSource firstApply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the loaded settings have been applied once: the bridge and the
    /// ports exist, so observers that read them start from there.</summary>
    public Task Applied => firstApply.Task;

    /// <summary>A missing port (an unplugged USB adapter) must not keep the router from starting: its
    /// failure is recorded in the status, every other part is applied, and the web UI comes up.</summary>
    void ApplyLoaded()
    {
        try { ApplyLocked(Render()); }
        catch (ApplyException e) { LogApplyFailed(log, e.Code, e.Message); }
    }

    /// <summary>Reads the stored settings, seeding them on first boot, and builds the desired
    /// state from them; nothing is applied yet.</summary>
    /// <exception cref="SettingsRejectedException">the stored settings are not valid for this board.</exception>
    public void Load(Func<string, string> hashPassword)
    {
        if (appliers.Ppp is { } pppd) pppd.ExitPolicy = OnPppExit;
        lock (gate)
        {
            var stored = store.Load();
            if (stored is null)
            {
                stored = FirstBoot.Settings(board, hashPassword);
                store.Save(stored);
                LogFirstBoot(log);
            }
            else if (stored.Wifi.Passphrase is null)
                store.Save(stored = FirstBoot.WithWifiKey(stored, board));
            state = DesiredStateBuilder.Build(stored, board, new SystemFacts(null, clock.GetUtcNow()));
            settings = stored;
            if (leaseMemory.Load() is { } report && report.Expires > clock.GetUtcNow())
            {
                lease = ParseLease(report);
                leaseReport = report;
            }
        }
    }

    public ChangeResult TryChange(RouterSettings incoming)
    {
        lock (gate) return CommitLocked(SettingsSecrets.KeepStored(incoming, settings));
    }

    /// <summary>Validates, applies and stores complete settings (secrets included); on failure
    /// the previous configuration is put back.</summary>
    ChangeResult CommitLocked(RouterSettings next)
    {
        {
            var errors = DesiredStateBuilder.Validate(next, board, Facts());
            if (errors.Count > 0) return new ChangeResult(errors);
            var nextState = WithFallback(DesiredStateBuilder.Build(next, board, Facts()));
            // A DHCP lease belongs to the WAN port it was taken on: a new port or mode starts over.
            // A PPP session lasts as long as pppd runs with the same configuration (which does
            // not depend on the lease, so it alone is rendered to find out).
            bool pppKept = nextState.Wan.Mode == WanModes.Pppoe && lease?.Interface == WanInterfaces.PppInterface &&
                Wan.PppdRenderer.Render(nextState, hooks) is { } pppd && pppd.SameProcess(applied?.Pppd);
            var nextLease = (lease?.Interface == nextState.Wan.Device && nextState.Wan.Mode == WanModes.Dhcp) || pppKept ? lease : null;
            var rendered = Renderer.RenderAll(nextState, nextLease, hooks, appliers.Traffic.Leaf);
            // An unchanged ruleset was checked when it was loaded (a priority toggle changes only
            // set elements): skipping the check keeps toggles instant.
            if (rendered.Nftables != applied?.Nftables && appliers.Firewall.Check(rendered.Nftables, VipSetsOf(nextState).ToNft()) is { } invalid)
                return new ChangeResult([], "firewall/INVALID_RULESET", invalid);

            var previous = (settings, state, lease, applied);
            try
            {
                if (!PppdUnchanged(rendered)) ppp.Reset();
                (state, lease) = (nextState, nextLease);
                ApplyLocked(rendered);
                store.Save(Persisted(next));
                settings = next;
                LogChanged(log);
                return ChangeResult.Applied;
            }
            catch (ApplyException e)
            {
                LogApplyFailed(log, e.Code, e.Message);
                (settings, state, lease) = (previous.settings, previous.state, previous.lease);
                if (previous.applied is { } back)
                {
                    try { ApplyLocked(back); }
                    catch (ApplyException again) { LogApplyFailed(log, again.Code, "rollback: " + again.Message); }
                }
                return new ChangeResult([], e.Code, e.Message);
            }
        }
    }

    /// <summary>The WAN DHCP client's hook reported an event.</summary>
    public void OnDhcpEvent(DhcpHookReport report)
    {
        lock (gate)
        {
            if (state.Wan.Mode != WanModes.Dhcp || report.Interface != state.Wan.Device) return;
            var now = clock.GetUtcNow();
            report = report with { ReceivedAt = now };
            // udhcpc says "deconfig" when it starts, too: a restarted routerd (or DHCP client)
            // keeps an address whose lease still runs, until the server says otherwise (nak) or
            // it runs out. Only then is the WAN torn down.
            if (report.Event == "deconfig" && lastDhcpEvent != "nak" && leaseReport?.Expires > now)
            {
                lastDhcpEvent = report.Event;
                return;
            }
            lastDhcpEvent = report.Event;
            var next = ParseLease(report);
            if (next is null && report.Event is ("bound" or "renew")) return; // malformed: keep what we have
            leaseReport = next is null ? null : report;
            leaseMemory.Save(leaseReport);
            if (next == lease) return;
            lease = next;
            LogLease(log, report.Event, next?.ToString() ?? "none");
            try { ApplyLocked(Render()); }
            catch (ApplyException e) { LogApplyFailed(log, e.Code, e.Message); }
        }
    }

    public RouterStatus Status(string version, DateTimeOffset startedAt)
    {
        lock (gate)
        {
            var wan = state.Wan;
            string iface = WanInterfaces.Egress(state);
            WanStatus w = wan.Mode switch
            {
                WanModes.Pppoe => new(wan.Mode, iface, ppp.Code, ppp.Lease?.Address.ToString(),
                    ppp.Lease?.Gateway is { } g ? Net.Ipv4Network.Format(g) : null, wan.Dns.Count > 0 ? wan.Dns : ppp.Lease?.Dns ?? [],
                    ppp.Message, ppp.UptimeSeconds, ppp.SessionId),
                WanModes.Static => new(wan.Mode, iface, "wan/UP", wan.StaticAddress?.ToString(),
                    wan.StaticGateway is { } g ? Net.Ipv4Network.Format(g) : null, wan.Dns),
                WanModes.Dhcp when lease is { } l => new(wan.Mode, iface, "wan/UP", l.Address.ToString(),
                    l.Gateway is { } g ? Net.Ipv4Network.Format(g) : null, wan.Dns.Count > 0 ? wan.Dns : l.Dns),
                _ => new(wan.Mode, iface, "wan/CONNECTING", null, null, wan.Dns),
            };
            return new RouterStatus(version, startedAt, w, subsystems.Values.OrderBy(s => s.Name).ToList())
                { Wifi = appliers.Wifi?.Status ?? Wifi.WifiStatus.NoRadio };
        }
    }

    WanLease? ParseLease(DhcpHookReport report)
    {
        try { return WanLeaseParser.Parse(report); }
        catch (FormatException e)
        {
            LogBadLease(log, e.Message);
            return null;
        }
    }

    SystemFacts Facts() => new(appliers.Network.InterfaceNames(), clock.GetUtcNow());

    VipSets VipSetsOf(DesiredState s) => VipSets.From(s.Qos.VipMacs, devices.AddressesOf(s.Qos.VipMacs));

    /// <summary>The device list changed (a VIP device got a new address, or came back): bring the
    /// VIP sets up to date. Only set elements change; nothing else is touched.</summary>
    public void RefreshVipAddresses()
    {
        lock (gate)
        {
            if (applied is not { } config) return;
            string sets = VipSetsOf(state).ToNft();
            if (sets == appliedSets) return; // most neighbour events change nothing here
            Step("firewall", () => appliers.Firewall.Apply(config.Nftables, sets));
            if (failures.Count == 0) appliedSets = sets;
            failures.Clear();
        }
    }

    /// <summary>Turns a device's VIP lane on (optionally until a time) or off. A device can be
    /// named before it was ever seen.</summary>
    public ChangeResult SetPriority(string mac, bool enabled, DateTimeOffset? until)
    {
        if (!Net.MacAddress.TryParse(mac, out var parsed) || !parsed.IsUnicast || parsed.IsZero)
            return new ChangeResult([new FieldError("mac", $"'{mac}' is not a device MAC address (aa:bb:cc:dd:ee:ff)")]);
        if (until is { } u && u <= clock.GetUtcNow())
            return new ChangeResult([new FieldError("until", "is in the past")]);
        lock (gate)
        {
            string key = parsed.ToString();
            var list = settings.Devices.ToList();
            int i = list.FindIndex(d => Net.MacAddress.TryParse(d.Mac, out var m) && m == parsed);
            var device = (i >= 0 ? list[i] : new DeviceSettings()) with { Mac = key, Priority = enabled, PriorityUntil = enabled ? until : null };
            if (i >= 0) list[i] = device; else list.Add(device);
            return TryChange(settings with { Devices = list });
        }
    }

    /// <summary>The router has seen this device, or the user has added it.</summary>
    public bool KnowsDevice(Net.MacAddress mac)
    {
        lock (gate) return devices.Knows(mac) || settings.Devices.Any(d => Net.MacAddress.TryParse(d.Mac, out var m) && m == mac);
    }

    /// <summary>Adds a device by MAC (optionally named) before the router has seen it.</summary>
    public ChangeResult AddDevice(string mac, string? name)
    {
        if (!Net.MacAddress.TryParse(mac, out var parsed) || !parsed.IsUnicast || parsed.IsZero)
            return new ChangeResult([new FieldError("mac", $"'{mac}' is not a device MAC address (aa:bb:cc:dd:ee:ff)")]);
        lock (gate)
        {
            if (settings.Devices.Any(d => Net.MacAddress.TryParse(d.Mac, out var m) && m == parsed))
                return ChangeResult.Applied;
            return TryChange(settings with { Devices = [.. settings.Devices, new DeviceSettings { Mac = parsed.ToString(), Name = name }] });
        }
    }

    /// <summary>Turns off every priority whose time is up, so the API shows it off too.</summary>
    public void ExpirePriorities()
    {
        lock (gate)
        {
            var now = clock.GetUtcNow();
            if (!settings.Devices.Any(d => d.Priority && d.PriorityUntil <= now)) return;
            var list = settings.Devices.Select(d => d.Priority && d.PriorityUntil <= now ? d with { Priority = false, PriorityUntil = null } : d).ToList();
            var result = TryChange(settings with { Devices = list });
            if (result.Succeeded) LogExpired(log);
        }
    }

    /// <summary>The leaf qdisc the queues use on this kernel.</summary>
    public LeafQdisc QueueLeaf => appliers.Traffic.Leaf;

    RenderedConfig Render() => Renderer.RenderAll(state, lease, hooks, appliers.Traffic.Leaf);

    /// <summary>Applies in dependency order: kernel settings, links and addresses, the WAN's
    /// client, the firewall (which names the interfaces), then the daemons that bind to the
    /// LAN's addresses.
    ///
    /// The WAN's client goes first because dialling takes seconds and the rest can happen
    /// meanwhile. That is safe: until the new ruleset is in, the old one knows neither a new WAN
    /// interface (ppp-wan) nor its address, and drops what comes through it by policy.</summary>
    void ApplyLocked(RenderedConfig config)
    {
        failures.Clear();
        Step("system", () => appliers.Sysctls.Apply(config.Sysctls));
        Step("network", () =>
        {
            foreach (var c in appliers.Network.Apply(config.Network)) LogCommand(log, c);
        });
        if (appliers.Ppp is { } pppd) Step("pppoe", () => pppd.Apply(config.Pppd));
        Step("wan", () => appliers.DhcpClient.Apply(config.DhcpClient));
        Step("firewall", () =>
        {
            string sets = VipSetsOf(state).ToNft();
            if (appliers.Firewall.Apply(config.Nftables, sets)) LogFirewall(log);
            appliedSets = sets;
        });
        Step("qos", () => appliers.Traffic.Apply(config.Tc));
        Step("dnsmasq", () => appliers.Dns.Apply(config.Dnsmasq));
        Step("wifi", () => appliers.Wifi?.Apply(config.Hostapd));
        applied = config;
        // Every step was tried (a broken WAN port must not keep DHCP off the LAN); the caller
        // learns about the first failure.
        if (failures.Count > 0) throw failures[0];
    }

    readonly List<ApplyException> failures = [];

    void Step(string name, Action apply)
    {
        try
        {
            apply();
            subsystems[name] = new SubsystemStatus(name, $"{name}/OK", null);
        }
        catch (ApplyException e)
        {
            subsystems[name] = new SubsystemStatus(name, e.Code, e.Message);
            failures.Add(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            var code = $"{name}/APPLY_FAILED";
            subsystems[name] = new SubsystemStatus(name, code, e.Message);
            failures.Add(new ApplyException(code, e.Message));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "first boot: seeded settings from the board defaults")]
    static partial void LogFirstBoot(ILogger log);
    [LoggerMessage(Level = LogLevel.Information, Message = "settings changed and applied")]
    static partial void LogChanged(ILogger log);
    [LoggerMessage(Level = LogLevel.Error, Message = "apply failed ({Code}): {Message}")]
    static partial void LogApplyFailed(ILogger log, string code, string message);
    [LoggerMessage(Level = LogLevel.Warning, Message = "ignored a malformed DHCP lease report: {Reason}")]
    static partial void LogBadLease(ILogger log, string reason);
    [LoggerMessage(Level = LogLevel.Information, Message = "WAN DHCP {Event}: {Lease}")]
    static partial void LogLease(ILogger log, string @event, string lease);
    [LoggerMessage(Level = LogLevel.Information, Message = "ip {Command}")]
    static partial void LogCommand(ILogger log, string command);
    [LoggerMessage(Level = LogLevel.Information, Message = "a device's priority expired and was turned off")]
    static partial void LogExpired(ILogger log);
    [LoggerMessage(Level = LogLevel.Information, Message = "firewall ruleset loaded")]
    static partial void LogFirewall(ILogger log);
}

/// <summary>The OS edge the reconciler drives, one adapter per facility.</summary>
public sealed record Appliers(ISysctls Sysctls, INetworkConfigurator Network, IFirewall Firewall, ITrafficControl Traffic, IDnsService Dns, IDhcpClient DhcpClient,
    Wan.IPppClient? Ppp = null, Routerd.Core.Wifi.IWifiAccessPoint? Wifi = null);
