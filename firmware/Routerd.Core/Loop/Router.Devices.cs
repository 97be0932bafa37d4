using Microsoft.Extensions.Logging;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.FastPath;
using Routerd.Core.Firewall;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Core.Loop;

// The devices' part: priority toggles, devices added by hand, and the observations (neighbours,
// leases, Wi-Fi stations) that move the VIP sets. None of these touches anything but the sets'
// elements, so they are batched: a burst of events is applied once, when the inbox runs empty.
public sealed partial class Router
{
    /// <summary>Toggles and additions whose answer waits for the sets of this burst.</summary>
    readonly List<RouterEvent> awaitingSets = [];
    /// <summary>Events handled while sets were waiting, with their own results: answered after the
    /// burst's snapshot is out (Handle).</summary>
    readonly List<(RouterEvent Event, object? Result)> answeredWithSets = [];
    /// <summary>What to go back to if the burst's sets cannot be applied.</summary>
    (RouterSettings Settings, DesiredState State)? beforeSets;
    bool setsDirty;

    DeviceSets VipSetsOf(DesiredState s) => VipSets.From(s.Qos.VipMacs, devices.AddressesOf(s.Qos.VipMacs));

    /// <summary>Every set and map element that follows the devices: the VIP sets, the paused
    /// devices' sets, the port forwards' map and IPv6 pinholes and the virtual servers' slot maps, loaded together (one transaction) whenever any changes.
    /// The forward map comes in groups (one per forward), so that a change of one forward is found
    /// and loaded without writing out the others (SetElements).</summary>
    SetElements SetElementsOf(DesiredState s) => SetElements.FromScript(VipSetsOf(s).ToNft() + PauseSetsOf(s).ToNft())
        .Concat(new([ForwardElementsOf(s)]))
        .Concat(SetElements.FromScript(PinholesOf(s).ToNft() + VirtualServerElementsOf(s)));

    /// <summary>The forward map's groups of the last sets made, by forward (the very plan object) with
    /// where it led: the next sets reuse the group of every forward that still leads there, so an edit
    /// of one forward beside a thousand makes one new group, not a thousand new objects that the
    /// applied sets then keep (and the GC promotes) at every flush.</summary>
    Dictionary<ForwardPlan, (ForwardTarget Target, ElementGroup Group)> forwardGroups = new(ReferenceEqualityComparer.Instance),
        nextForwardGroups = new(ReferenceEqualityComparer.Instance);

    /// <summary>The forward map's content (<see cref="ForwardMap.Elements"/>), with the groups of unchanged forwards reused.</summary>
    SetElements.Container ForwardElementsOf(DesiredState s)
    {
        var addressOf = ForwardMap.OncePerDevice(ForwardAddressIn(s));
        var groups = new List<ElementGroup>(s.Forwards.Count);
        nextForwardGroups.Clear();
        foreach (var f in s.Forwards)
        {
            var target = ForwardMap.TargetOf(f, addressOf);
            if (target.Address is null) continue;
            var entry = forwardGroups.TryGetValue(f, out var last) && last.Target == target ? last : (Target: target, Group: ForwardMap.GroupOf(target));
            nextForwardGroups[f] = entry;
            groups.Add(entry.Group);
        }
        (forwardGroups, nextForwardGroups) = (nextForwardGroups, forwardGroups);
        return new(ForwardMap.ContainerName, groups);
    }

    /// <summary>The devices whose connections must never be in the flowtable: those in the VIP lane and the paused ones.</summary>
    IReadOnlyCollection<MacAddress> HeldMacs(DesiredState s) => VipSetsOf(s).Macs.Concat(PauseSetsOf(s).Macs).ToHashSet();
    /// <summary>Those of the last sets applied (a device that joins them has its connections evicted).</summary>
    IReadOnlyCollection<MacAddress> appliedHeld = [];

    /// <summary>Turns a device's VIP lane on (optionally until a time) or off. A device can be
    /// named before it was ever seen.</summary>
    public ChangeResult SetPriority(MacAddress mac, bool enabled, DateTimeOffset? until) => (ChangeResult)Send(new SetPriority(mac, enabled, until))!;
    public async Task<ChangeResult> SetPriorityAsync(MacAddress mac, bool enabled, DateTimeOffset? until) =>
        (ChangeResult)(await SendAsync(new SetPriority(mac, enabled, until)))!;

    /// <summary>Adds a device by MAC (optionally named) before the router has seen it.</summary>
    public ChangeResult AddDevice(MacAddress mac, string? name) => (ChangeResult)Send(new AddDevice(mac, name))!;
    public async Task<ChangeResult> AddDeviceAsync(MacAddress mac, string? name) => (ChangeResult)(await SendAsync(new AddDevice(mac, name)))!;

    /// <summary>A MAC address as a device is named by (unicast, not zero), or the field error.</summary>
    public static bool TryParseDevice(string text, out MacAddress mac, out ChangeResult refused)
    {
        refused = ChangeResult.Applied;
        if (MacAddress.TryParse(text, out mac) && mac.IsUnicast && !mac.IsZero) return true;
        refused = new ChangeResult([new FieldError("mac", $"'{text}' is not a device MAC address (aa:bb:cc:dd:ee:ff)")]);
        return false;
    }

    object OnSetPriority(SetPriority p)
    {
        if (p.Until is { } u && u <= clock.GetUtcNow())
            return new ChangeResult([new FieldError("until", "is in the past")]);
        string key = p.Mac.ToString();
        var list = settings.Devices.ToList();
        int i = list.FindIndex(d => d.Mac == key || MacAddress.TryParse(d.Mac, out var m) && m == p.Mac);
        var device = (i >= 0 ? list[i] : new DeviceSettings()) with { Mac = key, Priority = p.Enabled, PriorityUntil = p.Enabled ? p.Until : null };
        if (i >= 0) list[i] = device; else list.Add(device);
        return CommitBatched(settings with { Devices = list });
    }

    object OnAddDevice(AddDevice a)
    {
        if (settings.Devices.Any(d => MacAddress.TryParse(d.Mac, out var m) && m == a.Mac)) return ChangeResult.Applied;
        return CommitBatched(settings with { Devices = [.. settings.Devices, new DeviceSettings { Mac = a.Mac.ToString(), Name = a.Name }] });
    }

    /// <summary>The router has seen this device, or the user has added it.</summary>
    public bool KnowsDevice(MacAddress mac) =>
        devices.Knows(mac) || snapshot.Settings.Devices.Any(d => MacAddress.TryParse(d.Mac, out var m) && m == mac);

    /// <summary>True when <paramref name="next"/> differs from the current settings in the device
    /// list or the port forwards alone (the same objects otherwise): only set and map elements
    /// can change, never the ruleset.</summary>
    bool DevicesOnly(RouterSettings next) =>
        !(ReferenceEquals(next.Devices, settings.Devices) && ReferenceEquals(next.Forwards, settings.Forwards))
        && (next with { Devices = settings.Devices, Forwards = settings.Forwards }) == settings;

    /// <summary>A change of the device list alone is batched (<see cref="Deferred"/>); anything
    /// else is an ordinary commit.</summary>
    object CommitBatched(RouterSettings next) => DevicesOnly(next) ? CommitDevices(next) : Commit(next);

    /// <summary>A device-list change: the devices are validated (nothing else changed), the state
    /// takes the new VIP list, and the sets follow when the burst is over.</summary>
    object CommitDevices(RouterSettings next, IReadOnlyList<ForwardPlan>? checkedForwards = null)
    {
        var errors = new List<FieldError>();
        var qos = DesiredStateBuilder.BuildQos(next.Qos, next.Devices, clock.GetUtcNow(), errors);
        var forwards = ReferenceEquals(next.Forwards, settings.Forwards) ? state.Forwards : checkedForwards ?? ForwardRules.Build(next.Forwards, Facts().OwnMacs, errors);
        var pause = Pause.PauseRules.Build(next.Devices, errors);
        if (qos is null || forwards is null || pause is null) return new ChangeResult(errors);
        beforeSets ??= (settings, state);
        (settings, state) = (next, state with { Qos = qos, Forwards = forwards, Pause = pause });
        setsDirty = true;
        return Deferred;
    }

    object? Observed(Action update)
    {
        update();
        setsDirty = true; // a VIP device may have a new address, or came back
        return null;
    }

    /// <summary>A request to bring the VIP sets up to date: its sender (a tool, a test) learns
    /// the result once the sets are applied, like a toggle's.</summary>
    object RefreshSets()
    {
        setsDirty = true;
        return Deferred;
    }

    /// <summary>Traffic is a sign of life (presence), not a change of anyone's addresses: the sets stay.</summary>
    object? Saw(TrafficMoved t)
    {
        devices.Moved(t.Macs);
        return null;
    }

    object? OnStations(StationsChanged s)
    {
        if (s.Connected is { } connected)
            foreach (var (mac, signal) in s.Stations) devices.SetWifiStation(mac, connected, signal);
        else devices.SetWifiStations(s.Stations);
        return null;
    }

    /// <summary>The device list changed (a VIP device got a new address, or came back): bring the
    /// VIP sets up to date. Only set elements change; nothing else is touched.</summary>
    public void RefreshVipAddresses() => Send(new DevicesChanged());

    /// <summary>Stores the toggles that waited for this burst, applies the VIP sets if the burst
    /// changed them, and answers the toggles. A toggle the store cannot keep is not applied; sets
    /// that cannot be applied take the toggles back out of the store.</summary>
    void FlushSets()
    {
        if (!setsDirty) return;
        setsDirty = false;
        var timing = SetsTiming.Start(log, awaitingSets);
        var result = ChangeResult.Applied;
        var previouslyStored = stored;
        bool storedBurst = false;
        if (beforeSets is { } before)
        {
            if (Store(Persisted(settings)) is { } notStored)
            {
                result = notStored;
                (settings, state) = (before.Settings, before.State);
            }
            else storedBurst = true;
        }
        timing.Stored();
        var sets = SetElementsOf(state);
        bool changed = applied is not null && !sets.Equals(appliedSets);
        timing.Made();
        if (applied is { } config && changed)
        {
            failures.Clear();
            var held = HeldMacs(state);
            bool evict = FastPathDecision.MustEvict(config.FastPath, appliedHeld, held);
            if (evict) appliers.BeforeReload?.Invoke();
            Step("firewall", false, () => appliers.Firewall.Apply(config.Nftables, sets, evict));
            if (failures.Count == 0) (appliedSets, appliedHeld) = (sets, held);
            else
            {
                result = new ChangeResult([], failures[0].Code, failures[0].Message);
                LogApplyFailed(log, failures[0].Code, failures[0].Message);
                if (storedBurst)
                {
                    (settings, state) = (beforeSets!.Value.Settings, beforeSets.Value.State);
                    Store(previouslyStored);
                    storedBurst = false;
                }
            }
            failures.Clear();
        }
        timing.Applied();
        // IPVS's destinations follow the same facts (a backend's health, a device's address).
        if (applied is not null) ApplyIpvs(force: false);
        foreach (var f in failures) LogApplyFailed(log, f.Code, f.Message);
        failures.Clear();
        if (storedBurst) LogChanged(log);
        beforeSets = null;
        Publish();
        foreach (var e in awaitingSets) e.Complete(result);
        awaitingSets.Clear();
        foreach (var (e, own) in answeredWithSets) e.Complete(own);
        answeredWithSets.Clear();
        timing.Done(storedBurst, changed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "a device's priority expired and was turned off")]
    static partial void LogExpired(ILogger log);
}
