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
    public string? Check(string ruleset, string sets)
    {
        Checks++;
        return RefuseWith;
    }
    public bool Apply(string ruleset, string sets)
    {
        if (sets != Sets) SetLoads++;
        Sets = sets;
        if (ruleset == Loaded) return false;
        Loaded = ruleset;
        Loads++;
        return true;
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
    public IReadOnlySet<string> InterfaceNames() => interfaces.ToHashSet();
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

sealed class FakeSysctls : ISysctls
{
    public void Apply(IReadOnlyList<KeyValuePair<string, string>> values) { }
}

sealed class MemoryStore : ISettingsStore
{
    public RouterSettings? Stored;
    public int Saves;
    public RouterSettings? Load() => Stored;
    public void Save(RouterSettings settings)
    {
        Stored = settings;
        Saves++;
    }
    public void Dispose() { }
}

sealed class MemoryLease : IWanLeaseMemory
{
    public Routerd.Core.Wan.DhcpHookReport? Report;
    public Routerd.Core.Wan.DhcpHookReport? Load() => Report;
    public void Save(Routerd.Core.Wan.DhcpHookReport? report) => Report = report;
}
