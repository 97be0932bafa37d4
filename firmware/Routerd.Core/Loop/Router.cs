using Routerd.Core.Firewall;
using Routerd.Core.Devices;
using Routerd.Core.FastPath;
using Microsoft.Extensions.Logging;
using Routerd.Core.Settings;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Wan;
using Routerd.Core.Time;

namespace Routerd.Core.Loop;

/// <summary>The outcome of a settings change: applied, refused (field errors), or failed while
/// applying (a structured code; the previous configuration was put back).</summary>
public sealed record ChangeResult(IReadOnlyList<FieldError> Errors, string? FailureCode = null, string? FailureMessage = null)
{
    public static readonly ChangeResult Applied = new([]);
    public bool Succeeded => Errors.Count == 0 && FailureCode is null;
}

/// <summary>The centre of DESIGN.md: settings and observed facts in, desired state, rendered
/// config, applied. Every change arrives as a <see cref="RouterEvent"/> in one inbox and is
/// handled on the loop's one thread, so nothing here is locked; readers get the immutable
/// <see cref="Snapshot"/> published after each step. A refused change leaves the stored settings
/// and the running system exactly as they were.
///
/// The public methods are the doors into the loop: each posts an event and waits for it (the
/// web API awaits the *Async ones).</summary>
public sealed partial class Router : IDisposable
{
    readonly Board board;
    readonly ISettingsStore store;
    readonly Appliers appliers;
    readonly HookTarget hooks;
    readonly IWanLeaseMemory leaseMemory;
    readonly DeviceRegistry devices;
    readonly TimeProvider clock;
    /// <summary>Durations and deadlines of this process (a LAN change's rollback, the WAN's
    /// uptime) are measured here, never as differences of dates: NTP steps the date.</summary>
    readonly MonotonicClock monotonic;
    readonly ILogger<Router> log;
    readonly EventLoop<RouterEvent> loop;

    // Owned by the loop's thread; nobody else reads or writes them.
    RouterSettings settings = null!;
    /// <summary>What the store holds: <see cref="settings"/>, except the LAN while a change of it is pending.</summary>
    RouterSettings stored = null!;
    DesiredState state = null!;
    RenderedConfig? applied;
    SetElements? appliedSets;
    WanLease? lease;
    /// <summary>One handler per WAN protocol (Wan/Dhcp, Wan/Static, Wan/Pppoe); the active one is the mode's.</summary>
    readonly Dictionary<string, IWanHandler> wanHandlers;
    IWanHandler WanHandler => wanHandlers[state.Wan.Mode];
    readonly Dictionary<string, SubsystemStatus> subsystems = [];

    volatile RouterSnapshot snapshot = null!;

    public Router(Board board, ISettingsStore store, Appliers appliers, HookTarget hooks, IWanLeaseMemory leaseMemory,
        DeviceRegistry devices, TimeProvider clock, ILogger<Router> log)
    {
        (this.board, this.store, this.appliers, this.hooks, this.leaseMemory, this.devices, this.clock, this.log) =
            (board, store, appliers, hooks, leaseMemory, devices, clock, log);
        monotonic = new MonotonicClock(clock);
        loop = new EventLoop<RouterEvent>("routerd loop", Handle, Settle, e => LogHandlerFailed(log, e.ToString()));
        var wanContext = new WanContext(clock, log, hooks, leaseMemory, appliers.Ppp, appliers.Discover, e => loop.Post(e));
        wanHandlers = WanProtocols.All.ToDictionary(p => p.Mode, p => p.NewHandler(wanContext));
    }

    /// <summary>The store found a damaged file and no good copy (store/RESCUE): the WAN stays
    /// closed until the admin password is set (<see cref="RescueWan"/>).</summary>
    public bool Rescue { get; init; }
    bool WanClosed => RescueWan.Closed(Rescue, settings);

    /// <summary>What the API reads: the state after the last step, never half a step.</summary>
    public RouterSnapshot Snapshot => snapshot;
    public RouterSettings Settings => snapshot.Settings;
    public DesiredState State => snapshot.State;
    public WanLease? Lease => snapshot.Lease;

    /// <summary>Called on the loop's thread after each published snapshot (the web listener follows the LAN address from it).</summary>
    public event Action<RouterSnapshot>? Published;

    /// <summary>Loads the stored settings (seeding them on first boot) and applies everything,
    /// returning when that is done: the apply `routerd serve` runs in the background.</summary>
    public void Start(Func<string, string> hashPassword)
    {
        Load(hashPassword);
        ApplyInBackground().GetAwaiter().GetResult();
    }

    /// <summary>Starts the loop with the apply of the loaded settings as its first event: every
    /// command posted after this waits for it. routerd builds its web host meanwhile: the router
    /// is ready when the slower of the two is, not after both one by one.</summary>
    /// <returns>Completes when the apply is done.</returns>
    public Task ApplyInBackground()
    {
        var first = new ApplyStored();
        loop.Post(first);
        loop.Start();
        return first.Done;
    }

    /// <summary>Completes when the loaded settings have been applied once: the bridge and the
    /// ports exist, so observers that read them start from there.</summary>
    public Task Applied => firstApply.Task;
    readonly TaskCompletionSource firstApply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Queues an event without waiting (the observers: netlink, leases, hostapd, pppd's exit).</summary>
    public void Post(RouterEvent e) => loop.Post(e);

    /// <summary>Queues an event and completes when it was handled and its snapshot published.</summary>
    public async Task<object?> SendAsync(RouterEvent e)
    {
        if (!loop.Post(e)) throw new InvalidOperationException("routerd is stopping");
        return await e.Done.ConfigureAwait(false);
    }

    /// <summary>Returns once every event posted before was handled (tests, tools).</summary>
    public void Sync() => Send(new SyncPoint());

    /// <summary>The blocking door for tools and tests. Never from the loop's own thread: it would wait for itself.</summary>
    object? Send(RouterEvent e)
    {
        if (loop.OnLoopThread) throw new InvalidOperationException("a handler must not wait for the loop");
        if (!loop.Started) throw new InvalidOperationException("the loop has not started (Start or ApplyInBackground first)");
        return SendAsync(e).GetAwaiter().GetResult();
    }

    /// <summary>Reads the stored settings, seeding them on first boot, and builds the desired
    /// state from them; nothing is applied yet. Runs before the loop starts.</summary>
    /// <exception cref="SettingsRejectedException">the stored settings are not valid for this board.</exception>
    public void Load(Func<string, string> hashPassword)
    {
        if (appliers.Ppp is { } pppd) pppd.Exited = (status, announced, pid) => loop.Post(new PppExited(status, announced, pid));
        var stored = store.Load();
        if (stored is null)
        {
            stored = FirstBoot.Settings(board, hashPassword);
            store.Save(stored);
            LogFirstBoot(log);
        }
        else if (stored.Wifi.Passphrase is null)
            store.Save(stored = FirstBoot.WithWifiKey(stored, board));
        // Settings from before IPv6 get their ULA once, and keep it from then on.
        if (stored.Ipv6?.Ula is null) store.Save(stored = Ipv6.Ipv6Rules.WithUla(stored));
        state = DesiredStateBuilder.Build(stored, board, new SystemFacts(null, clock.GetUtcNow()));
        (settings, this.stored) = (stored, stored);
        lease = WanHandler.Restore();
        // A remembered lease inside the LAN's subnet waits for the client's next report, which moves the LAN.
        if (lease is { } l && Lan.LanConflict.Conflicts(state.Lan.Address, l.Address)) lease = null;
        Publish();
    }

    /// <summary>One event, on the loop's thread. Its sender learns the result once the snapshot
    /// that shows it is out; a priority toggle's result waits for <see cref="Settle"/>, which
    /// applies the VIP sets once for a whole burst. While a burst's device changes wait for their
    /// sets (stored and applied together at its end), the snapshot is not published: readers keep
    /// seeing what is applied, never a priority that is off in the API and still on in the kernel
    /// (a priority's expiry: a Tick), or a toggle the store then refuses; the events answered
    /// meanwhile are answered once the burst's snapshot is out.</summary>
    void Handle(RouterEvent e)
    {
        object? result;
        try { result = Dispatch(e); }
        catch (Exception x)
        {
            Publish();
            e.Fail(x);
            throw;
        }
        if (ReferenceEquals(result, Deferred)) awaitingSets.Add(e);
        else if (setsDirty) answeredWithSets.Add((e, result));
        else
        {
            Publish();
            e.Complete(result);
        }
    }

    /// <summary>A handler's answer that comes when the VIP sets are applied (at the end of the burst).</summary>
    static readonly object Deferred = new();

    object? Dispatch(RouterEvent e) => e switch
    {
        ApplyStored => ApplyLoaded(),
        EditForward f => OnEditForward(f),
        EditVirtualServer v => OnEditVirtualServer(v),
        BackendsProbed b => OnBackendsProbed(b),
        BackendsCounted c => OnBackendsCounted(c),
        ChangeSettings c => c.WithRollback ? ChangeWithRollback(Ipv6.Ipv6Rules.WithUla(c.Incoming, settings)) : Commit(Ipv6.Ipv6Rules.WithUla(SettingsSecrets.KeepStored(c.Incoming, settings), settings)),
        SetPriority p => OnSetPriority(p),
        SetPause p => OnSetPause(p),
        AddDevice a => OnAddDevice(a),
        ChangePassword p => OnChangePassword(p.Hash),
        FactoryReset f => OnFactoryReset(f),
        ConfirmChange => OnConfirm(),
        CarrierChanged c when c.Device == state.Wifi?.Guest?.Interface => OnGuestLink(c),
        DhcpHook or PppHook or PppExited or PppoeProbed or CarrierChanged => OnWan(e),
        Dhcp6Hook h => OnDhcp6(h.Report),
        Address6Changed a => OnAddress6(a),
        Addresses6Dumped d => OnAddresses6(d.Addresses),
        NeighbourChanged n => Observed(() => devices.Apply(n.Neighbour, n.Deleted)),
        NeighboursDumped n => Observed(() => devices.SetNeighbours(n.Neighbours)),
        LeasesChanged l => Observed(() => devices.SetLeases(l.Leases)),
        StationsChanged s => OnStations(s),
        TrafficMoved t => Saw(t),
        WifiObserved w => OnWifi(w.Report),
        DevicesChanged => RefreshSets(),
        Tick => OnTick(),
        SyncPoint => null,
        _ => throw new ArgumentException($"unknown event {e}"),
    };

    /// <summary>The inbox ran empty: the VIP sets follow what the burst changed, once.</summary>
    void Settle()
    {
        FlushSets();
        ArmTimer();
    }

    /// <summary>A missing port (an unplugged USB adapter) must not keep the router from starting: its
    /// failure is recorded in the status, every other part is applied, and the web UI comes up.</summary>
    object? ApplyLoaded()
    {
        try { Apply(Render()); }
        catch (ApplyException e) { LogApplyFailed(log, e.Code, e.Message); }
        // Whatever else went wrong (the loop logs it), the first apply is over: whoever waits for it
        // (the web listener, requests) must not wait for ever.
        finally { firstApply.TrySetResult(); }
        return null;
    }

    public ChangeResult TryChange(RouterSettings incoming) => (ChangeResult)Send(new ChangeSettings(incoming, false))!;

    /// <summary>Validates, stores and applies complete settings (secrets included); on failure
    /// the previous configuration is put back, in the store and on the system. <paramref name="built"/>: the caller already
    /// checked <paramref name="next"/> against this board and these interfaces, and this is its desired state.</summary>
    ChangeResult Commit(RouterSettings next, DesiredState? built = null)
    {
        FlushSets();
        if (built is null && (built = Check(next, out var errors)) is null) return new ChangeResult(errors);
        var nextState = WithFallback(built);
        // The lease survives only what its protocol says it survives (another mode: never).
        var nextLease = wanHandlers[nextState.Wan.Mode].Kept(nextState, lease, applied);
        var nextV6 = KeptV6(nextState, nextLease);
        var rendered = Renderer.RenderAll(nextState, nextLease, hooks, appliers.Traffic.Leaf, nextV6, Present(nextState));
        // An unchanged ruleset was checked when it was loaded: skipping the check keeps changes quick.
        if (rendered.Nftables != applied?.Nftables && appliers.Firewall.Check(rendered.Nftables, SetElementsOf(nextState)) is { } invalid)
            return new ChangeResult([], "firewall/INVALID_RULESET", invalid);

        // Store, then apply: a change the store cannot keep is not applied at all, and a change
        // that cannot be applied is taken back out of the store.
        var previous = (settings, state, lease, applied, stored, v6, v6Reason, v6HadPrefix);
        if (Store(Persisted(next)) is { } notStored) return notStored;
        try
        {
            foreach (var h in wanHandlers.Values) h.Applying(rendered, applied);
            (state, lease, v6) = (nextState, nextLease, nextV6);
            FollowV6(state, lease);
            Apply(rendered);
            // An automatic move's explanation (lan/MOVED) is stale once the LAN has another address.
            if (next.Lan.Address != previous.settings.Lan.Address) subsystems.Remove("lan");
            settings = next;
            LogChanged(log);
            return ChangeResult.Applied;
        }
        catch (ApplyException e)
        {
            LogApplyFailed(log, e.Code, e.Message);
            (settings, state, lease, v6, v6Reason, v6HadPrefix) = (previous.settings, previous.state, previous.lease, previous.v6, previous.v6Reason, previous.v6HadPrefix);
            Store(previous.stored);
            if (previous.applied is { } back)
            {
                try { Apply(back); }
                catch (ApplyException again) { LogApplyFailed(log, again.Code, "rollback: " + again.Message); }
            }
            return new ChangeResult([], e.Code, e.Message);
        }
    }

    /// <summary>Hands a document to the store: null once it is on the disk, else the failure as a
    /// change's answer (store/FULL names a full disk); then nothing may be applied.</summary>
    ChangeResult? Store(RouterSettings document)
    {
        try
        {
            store.Save(document);
            stored = document;
            return null;
        }
        catch (StoreException e)
        {
            LogStoreFailed(log, e.Code, e.Message);
            return new ChangeResult([], e.Code, e.Message);
        }
    }

    /// <summary>An event of the WAN's protocols (udhcpc's hook, pppd's hooks and exit, the WAN
    /// port's carrier): the protocol it belongs to handles it, and what depends on the lease is
    /// applied again when the lease changed. A DHCP lease inside the LAN's subnet is held while
    /// the LAN moves out of its way (Router.LanMove.cs).</summary>
    object? OnWan(RouterEvent e)
    {
        var step = wanHandlers.Values.Select(h => h.Handle(e, state.Wan, lease)).First(s => s is not null)!;
        bool held = e is DhcpHook && (step.Lease != lease || heldLease is not null) && HoldForLanMove(step.Lease);
        if (!held && step.Lease != lease)
        {
            FollowV6(state, step.Lease);
            lease = step.Lease;
            Reapply();
        }
        step.Then?.Invoke();
        return step.Answer;
    }

    public void OnDhcpEvent(DhcpHookReport report) => Send(new DhcpHook(report));

    /// <summary>pppd's ip-up or ip-down script reported.</summary>
    public void OnPppEvent(PppHookReport report) => Send(new PppHook(report));

    /// <summary>pppd exited with <paramref name="status"/>; the answer is how long the adapter waits
    /// before dialling again (tests and tools; pppd's adapter posts <see cref="PppExited"/>).</summary>
    public TimeSpan OnPppExit(int status) => (TimeSpan)Send(new PppExited(status))!;

    /// <summary>The WAN port's carrier changed (netlink). Coming back, it redials at once (PPPoE).</summary>
    public void OnWanCarrier(string device, bool present) => Send(new CarrierChanged(device, present));

    /// <summary>Applies the current state again after an observed fact changed (a lease); only
    /// the slices whose rendering changed are touched.</summary>
    void Reapply()
    {
        FlushSets();
        try { Apply(Render()); }
        catch (ApplyException e) { LogApplyFailed(log, e.Code, e.Message); }
    }

    public RouterStatus Status(string version, DateTimeOffset startedAt)
    {
        var s = snapshot;
        var wan = s.Wan with { UptimeSeconds = s.WanUpSince is { } since ? (long)clock.GetElapsedTime(since).TotalSeconds : null };
        return new RouterStatus(version, startedAt, wan, s.Subsystems) { Wifi = s.Wifi, Ipv6 = s.Ipv6?.At(clock.GetUtcNow()) };
    }

    /// <summary>The WAN's status as the handler of its mode decides it.</summary>
    WanStatus WanStatusNow() => WanHandler.Status(state.Wan, WanInterfaces.Egress(state), lease);

    void Publish()
    {
        snapshot = new RouterSnapshot(settings, state, lease, WanClosed ? RescueWan.Status(WanStatusNow()) : WanStatusNow(), WanHandler.UpSince,
            subsystems.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList(), pending, retiring?.Address, wifi.Shown) { Ipv6 = Ipv6StatusNow(), Paused = PauseStatusNow(), BackendHealth = backendHealth };
        Published?.Invoke(snapshot);
    }

    /// <summary>An owner's settings checked and built in one pass (one interface dump): their own
    /// rules, then one that needs what the router holds now (a new LAN subnet must not be the one
    /// the WAN's current address is in). Null: refused, for <paramref name="errors"/>.</summary>
    DesiredState? Check(RouterSettings next, out IReadOnlyList<FieldError> errors)
    {
        var built = DesiredStateBuilder.TryBuild(next, board, Facts(), out errors);
        if (built is null) return null;
        var wan = (lease ?? heldLease)?.Address;
        var overlaps = new[]
        {
            Lan.LanConflict.RefuseOwnerChange(next.Lan.Address, settings.Lan.Address, wan),
            Wifi.GuestRules.RefuseWanOverlap(next.Wifi.Guest ?? new(), settings.Wifi.Guest ?? new(), wan),
        }.OfType<FieldError>().ToList();
        if (overlaps.Count == 0) return built;
        errors = overlaps;
        return null;
    }

    SystemFacts Facts()
    {
        var interfaces = appliers.Network.Interfaces();
        return new(interfaces.Keys.ToHashSet(), clock.GetUtcNow())
        {
            OwnMacs = interfaces.Values.OfType<MacAddress>().Where(m => !m.IsZero).ToHashSet(),
        };
    }

    /// <summary>The leaf qdisc the queues use on this kernel.</summary>
    public LeafQdisc QueueLeaf => appliers.Traffic.Leaf;

    RenderedConfig Render()
    {
        long began = System.Diagnostics.Stopwatch.GetTimestamp();
        var rendered = Renderer.RenderAll(state, lease, hooks, appliers.Traffic.Leaf, v6, Present(state));
        LogRendered(log, System.Diagnostics.Stopwatch.GetElapsedTime(began).TotalMilliseconds);
        return rendered;
    }

    /// <summary>The interfaces that exist now, which the flowtable may name; asked only where the kernel has one.</summary>
    IReadOnlySet<string>? Present(DesiredState s) => FastPathDecision.HasFlowtable(s) ? appliers.Network.Interfaces().Keys.ToHashSet() : null;

    /// <summary>Applies in dependency order: kernel settings, links and addresses, the WAN's
    /// client, the firewall (which names the interfaces), then the daemons that bind to the
    /// LAN's addresses. A slice whose rendering is what it last applied successfully is skipped
    /// (every applier is idempotent anyway; skipping spares the tools and the daemons).
    ///
    /// The WAN's client goes first because dialling takes seconds and the rest can happen
    /// meanwhile. That is safe: until the new ruleset is in, the old one knows neither a new WAN
    /// interface (ppp-wan) nor its address, and drops what comes through it by policy.</summary>
    void Apply(RenderedConfig config)
    {
        if (WanClosed) config = RescueWan.Close(config);
        var last = applied;
        failures.Clear();
        Step("system", last is not null && last.Sysctls.SequenceEqual(config.Sysctls), () => appliers.Sysctls.Apply(config.Sysctls));
        Step("network", last is not null && last.Network.ToIpBatch() == config.Network.ToIpBatch(), () =>
        {
            foreach (var c in appliers.Network.Apply(config.Network)) LogCommand(log, c);
        });
        if (appliers.Ppp is { } pppd) Step("pppoe", last is not null && (config.Pppd is null ? last.Pppd is null : config.Pppd.SameProcess(last.Pppd)), () => pppd.Apply(config.Pppd));
        Step("wan", last is not null && SameClient(last.DhcpClient, config.DhcpClient), () => appliers.DhcpClient.Apply(config.DhcpClient));
        if (appliers.Dhcp6 is { } dhcp6) Step("dhcpv6", last is not null && Equals(last.Dhcp6Client, config.Dhcp6Client), () => dhcp6.Apply(config.Dhcp6Client));
        var sets = SetElementsOf(state);
        var held = HeldMacs(state);
        Step("firewall", last is not null && last.Nftables == config.Nftables && sets.Equals(appliedSets), () =>
        {
            bool evict = FastPathDecision.MustEvict(config.FastPath, appliedHeld, held);
            if (last?.Nftables != config.Nftables || evict) appliers.BeforeReload?.Invoke();
            if (appliers.Firewall.Apply(config.Nftables, sets, evict)) LogFirewall(log);
            (appliedSets, appliedHeld) = (sets, held);
        });
        ApplyIpvs(force: last is null);
        Step("qos", last is not null && last.Tc.Batch == config.Tc.Batch, () => appliers.Traffic.Apply(config.Tc));
        Step("dnsmasq", last is not null && Equals(last.Dnsmasq, config.Dnsmasq), () => appliers.Dns.Apply(config.Dnsmasq));
        Step("wifi", last is not null && Equals(last.Hostapd, config.Hostapd), () =>
        {
            if (appliers.Wifi?.Apply(config.Hostapd) is { } did) wifi = wifi.Next(did);
        });
        applied = config;
        // Every step was tried (a broken WAN port must not keep DHCP off the LAN); the caller
        // learns about the first failure.
        if (failures.Count > 0) throw failures[0];
    }

    static bool SameClient(DhcpClientPlan? a, DhcpClientPlan? b) =>
        a is null || b is null ? a is null && b is null : a.HookScript == b.HookScript && a.Arguments.SequenceEqual(b.Arguments);

    readonly List<ApplyException> failures = [];

    /// <summary>Counts the appliers that ran, per slice (the tests hold "apply only what changed" to it).</summary>
    internal readonly Dictionary<string, int> Applies = [];

    void Step(string name, bool unchanged, Action apply)
    {
        // Unchanged and applied fine last time: nothing to do. A slice that failed is tried again.
        if (unchanged && subsystems.TryGetValue(name, out var s) && s.Code == $"{name}/OK") return;
        Applies[name] = Applies.GetValueOrDefault(name) + 1;
        long began = System.Diagnostics.Stopwatch.GetTimestamp();
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
        // Where an apply's time goes (a first boot's under TCG: issue 17).
        finally { LogStep(log, name, System.Diagnostics.Stopwatch.GetElapsedTime(began).TotalMilliseconds); }
    }

    public void Dispose()
    {
        timer?.Dispose();
        loop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "applied {Step} in {Ms:F1} ms")]
    static partial void LogStep(ILogger log, string step, double ms);
    [LoggerMessage(Level = LogLevel.Debug, Message = "rendered in {Ms:F1} ms")]
    static partial void LogRendered(ILogger log, double ms);
    [LoggerMessage(Level = LogLevel.Information, Message = "first boot: seeded settings from the board defaults")]
    static partial void LogFirstBoot(ILogger log);
    [LoggerMessage(Level = LogLevel.Information, Message = "settings changed and applied")]
    static partial void LogChanged(ILogger log);
    [LoggerMessage(Level = LogLevel.Error, Message = "apply failed ({Code}): {Message}")]
    static partial void LogApplyFailed(ILogger log, string code, string message);
    [LoggerMessage(Level = LogLevel.Error, Message = "settings not stored, nothing applied ({Code}): {Message}")]
    static partial void LogStoreFailed(ILogger log, string code, string message);
    [LoggerMessage(Level = LogLevel.Information, Message = "ip {Command}")]
    static partial void LogCommand(ILogger log, string command);
    [LoggerMessage(Level = LogLevel.Information, Message = "firewall ruleset loaded")]
    static partial void LogFirewall(ILogger log);
    [LoggerMessage(Level = LogLevel.Error, Message = "an event's handler failed: {Error}")]
    static partial void LogHandlerFailed(ILogger log, string error);
}

/// <summary>The OS edge the loop drives, one adapter per facility.</summary>
public sealed record Appliers(ISysctls Sysctls, INetworkConfigurator Network, IFirewall Firewall, ITrafficControl Traffic, IDnsService Dns, IDhcpClient DhcpClient,
    Wan.IPppClient? Ppp = null, Routerd.Core.Wifi.IWifiAccessPoint? Wifi = null, IDhcp6Client? Dhcp6 = null,
    /// <summary>PPPoE discovery on a port for a time (any service; no session is started).</summary>
    Func<string, TimeSpan, Wan.WanDetection>? Discover = null,
    /// <summary>The kernel's IPVS, where it has it and the board balances with it (VirtualServers/).</summary>
    VirtualServers.IIpvs? Ipvs = null,
    /// <summary>Told before the ruleset may be replaced: the traffic meter samples first, since a
    /// reload empties the counter sets (Devices/TrafficMeter.cs).</summary>
    Action? BeforeReload = null,
    /// <summary>The LAN ports' carrier, reset when the LAN moved (Lan/LanReconnect.cs).</summary>
    IPortCarrier? Carrier = null);
