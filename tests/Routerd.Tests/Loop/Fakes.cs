using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Firewall;
using Routerd.Core.Lan;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Loop;

// Hand-written fakes of the OS edge: they record what the reconciler asked for and behave
// idempotently like the real adapters (the same input twice is "no change").

sealed class FakeFirewall : IFirewall
{
    public string? Loaded, Sets;
    public int Loads, SetLoads, Checks;
    public string? RefuseWith;
    public string? Check(string ruleset, SetElements sets)
    {
        Checks++;
        return RefuseWith;
    }
    /// <summary>Called as each apply begins (a test looks at what the API shows at that moment).</summary>
    public Action? Applying;
    /// <summary>How many loads were forced although the ruleset was the loaded one (the flowtable's connections evicted).</summary>
    public int Reloads;
    /// <summary>The set elements of the last apply, as the loop handed them over.</summary>
    public SetElements? Elements;
    public bool Apply(string ruleset, SetElements elements, bool reload = false)
    {
        Applying?.Invoke();
        Elements = elements;
        string sets = elements.ToNft();
        if (sets != Sets) SetLoads++;
        Sets = sets;
        if (ruleset == Loaded && reload) Reloads++;
        if (ruleset == Loaded && !reload) return false;
        Loaded = ruleset;
        Loads++;
        return true;
    }
}

/// <summary>IPVS as text: the last plan applied, and how many applies.</summary>
sealed class FakeIpvs : Routerd.Core.VirtualServers.IIpvs
{
    public Routerd.Core.VirtualServers.IpvsPlan? Plan;
    public int Applies;
    public void Apply(Routerd.Core.VirtualServers.IpvsPlan plan)
    {
        Plan = plan;
        Applies++;
    }
}

sealed class FakeTraffic : ITrafficControl
{
    public TcPlan? Plan;
    public LeafQdisc Leaf => LeafQdisc.Fifo;
    public bool Apply(TcPlan plan)
    {
        if (plan.Batch == Plan?.Batch) return false;
        Plan = plan;
        return true;
    }
}

sealed class FakeNetwork(params string[] interfaces) : INetworkConfigurator
{
    public NetworkPlan? Current;
    public bool Fail;
    public int Changes;
    public IReadOnlyList<string> Apply(NetworkPlan plan)
    {
        if (Fail) throw new ApplyException("network/IP_FAILED", "simulated failure");
        if (Current is not null && Current.ToIpBatch() == plan.ToIpBatch()) return [];
        Current = plan;
        Changes++;
        return ["changed"];
    }
    /// <summary>The MACs of the interfaces, in order (the rest have none, like a tunnel).</summary>
    public MacAddress[] Macs = [];
    public IReadOnlyDictionary<string, MacAddress?> Interfaces() =>
        interfaces.Distinct().Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i < Macs.Length ? Macs[x.i] : (MacAddress?)null);
}

sealed class FakeDns : IDnsService
{
    public DnsmasqConfig? Config;
    public int Restarts, Reloads;
    public int? Pid => Restarts;
    public void Apply(DnsmasqConfig config)
    {
        if (Config?.Main != config.Main) Restarts++;
        else if (Config != config) Reloads++;
        Config = config;
    }
}

sealed class FakeDhcpClient : IDhcpClient
{
    public DhcpClientPlan? Plan;
    public void Apply(DhcpClientPlan? plan) => Plan = plan;
}

/// <summary>dhcpcd as its adapter runs it: a changed command line or configuration restarts it
/// (Starts counts each start), null stops it.</summary>
sealed class FakeDhcp6Client : IDhcp6Client
{
    public Routerd.Core.Ipv6.Dhcp6ClientPlan? Plan;
    public int Starts, Stops;
    public void Apply(Routerd.Core.Ipv6.Dhcp6ClientPlan? plan)
    {
        if (plan is null) { if (Plan is not null) Stops++; }
        else if (Plan is null || !Plan.Arguments.SequenceEqual(plan.Arguments) || Plan.Config != plan.Config) Starts++;
        Plan = plan;
    }
}

sealed class FakeSysctls : ISysctls
{
    public void Apply(IReadOnlyList<KeyValuePair<string, string>> values) { }
}

sealed class MemoryStore : ISettingsStore
{
    public RouterSettings? Stored;
    public int Saves;
    /// <summary>Set: every Save fails with this code (store/FULL: a full disk) and stores nothing.</summary>
    public string? FailWith;
    /// <summary>Runs before each Save stores (a test looks at the system at that moment).</summary>
    public Action? Saving;
    public RouterSettings? Load() => Stored;
    public void Save(RouterSettings settings)
    {
        Saving?.Invoke();
        if (FailWith is { } code) throw new StoreException(code, "simulated: the disk is full");
        Stored = settings;
        Saves++;
    }
    public void Dispose() { }
}

/// <summary>Records each carrier reset: which ports, for how long.</summary>
sealed class FakeCarrier : IPortCarrier
{
    public readonly List<(IReadOnlyList<string> Ports, TimeSpan Down)> Bounces = [];
    public void Bounce(IReadOnlyList<string> ports, TimeSpan down) => Bounces.Add((ports, down));
}

sealed class MemoryLease : IWanLeaseMemory
{
    public Routerd.Core.Wan.DhcpHookReport? Report;
    public Routerd.Core.Wan.DhcpHookReport? Load() => Report;
    public void Save(Routerd.Core.Wan.DhcpHookReport? report) => Report = report;
}

/// <summary>The one way a test builds a <see cref="Router"/> on fakes: every part it does not
/// name is a fresh fake (network with the usual interfaces, a manual clock, an in-memory store).</summary>
static class TestRouter
{
    public static Router New(Board board, ISettingsStore? store = null, INetworkConfigurator? network = null, IFirewall? firewall = null,
        ITrafficControl? traffic = null, IDnsService? dns = null, IDhcpClient? dhcp = null, IPppClient? ppp = null,
        Routerd.Core.Wifi.IWifiAccessPoint? wifi = null, Routerd.Core.Devices.DeviceRegistry? registry = null, TimeProvider? clock = null,
        IWanLeaseMemory? leaseMemory = null, HookTarget? hooks = null, Func<string, TimeSpan, WanDetection>? discover = null,
        Routerd.Core.VirtualServers.IIpvs? ipvs = null, IDhcp6Client? dhcp6 = null, Action? beforeReload = null, IPortCarrier? carrier = null,
        Microsoft.Extensions.Logging.ILogger<Router>? log = null)
    {
        clock ??= new ManualClock();
        return new Router(board, store ?? new MemoryStore(),
            new Appliers(new FakeSysctls(), network ?? new FakeNetwork("lo", "wan0", "lan1", "lan2", "br-lan", "wlan0"), firewall ?? new FakeFirewall(),
                traffic ?? new FakeTraffic(), dns ?? new FakeDns(), dhcp ?? new FakeDhcpClient(), ppp, wifi, dhcp6, Discover: discover, Ipvs: ipvs, BeforeReload: beforeReload, Carrier: carrier),
            hooks ?? new HookTarget(["/usr/bin/routerd"], "/run/r/routerd.sock"), leaseMemory ?? new MemoryLease(),
            registry ?? new Routerd.Core.Devices.DeviceRegistry(clock), clock, log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<Router>.Instance);
    }
}
