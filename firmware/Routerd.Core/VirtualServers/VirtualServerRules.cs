using System.Net;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.VirtualServers;

/// <summary>How a virtual server picks the backend of a new connection.</summary>
public enum Scheduler
{
    /// <summary>Each backend in turn, as often as its weight says (IPVS's wrr; numgen on nftables).</summary>
    RoundRobin,
    /// <summary>The backend with the fewest active connections per unit of weight (IPVS's wlc).
    /// nftables cannot count connections per packet: there routerd shares the slots out again at
    /// every health round by weight over the connections each backend holds (BackendPool.ToNft).</summary>
    WeightedLeastConnections,
}

/// <summary>A validated backend: a device by MAC (its current LAN address) or a fixed LAN address.</summary>
public sealed record BackendPlan(MacAddress? Mac, IPAddress? Address, int Port, int Weight)
{
    /// <summary>What names the backend in health state and the API: the MAC or address, and the port.</summary>
    public string Key => $"{(Mac is { } m ? m.ToString() : Address!.ToString())}:{Port}";
}

/// <summary>A validated virtual server.</summary>
public sealed record VirtualServerPlan(int Id, ForwardProtocols Protocol, int WanPort, Scheduler Scheduler, IReadOnlyList<BackendPlan> Backends, bool Enabled, string? Description)
{
    /// <summary>The slots new connections cycle through on the nftables path (numgen modulo this),
    /// shared by the backends in the pool. A fixed number, so that a new weight, a backend more or
    /// less, its health or its load move the slot map's elements and never the ruleset. 240 is
    /// divided by 1-6, 8, 10, 12, 15 and 16: equal weights over that many backends share it exactly;
    /// otherwise each backend's share is within one slot (0.4 %) of its weight's.</summary>
    public const int Slots = 240;
}

/// <summary>Checks the virtual-server list field by field ("virtualServers[2].backends[1].weight")
/// and builds the plans.</summary>
public static class VirtualServerRules
{
    /// <summary>Each server is a chain (nftables) or an IPVS service: a home needs a few.</summary>
    public const int MaxServers = 64;
    /// <summary>The bound: a server of more backends is a typo or a script gone wrong.</summary>
    public const int MaxBackends = 16;
    public const int MaxWeight = 100;

    public static string SchedulerName(Scheduler s) => s == Scheduler.RoundRobin ? "rr" : "wlc";

    /// <param name="lan">the LAN's plan (null when it was refused: the address checks are skipped).</param>
    /// <param name="forwards">the checked port forwards (null when refused): a WAN port leads to one place.</param>
    /// <param name="ownMacs">the router's own MACs (null: not known).</param>
    public static IReadOnlyList<VirtualServerPlan>? Build(IReadOnlyList<VirtualServer> servers, LanPlan? lan, IReadOnlyList<ForwardPlan>? forwards,
        IReadOnlySet<MacAddress>? ownMacs, List<FieldError> errors)
    {
        int before = errors.Count;
        if (servers.Count > MaxServers)
        {
            errors.Add(new("virtualServers", $"at most {MaxServers} virtual servers"));
            return null;
        }
        var plans = new List<VirtualServerPlan>();
        var ids = new HashSet<int>();
        for (int i = 0; i < servers.Count; i++)
            if (Check(servers[i], $"virtualServers[{i}]", lan, ownMacs, ids, errors) is { } plan) plans.Add(plan);
        if (errors.Count == before)
        {
            // One WAN port per protocol leads to one place: another server, or a forward's range.
            var taken = new Dictionary<(ForwardProtocols, int), int>();
            for (int i = 0; i < plans.Count; i++)
            {
                var key = (plans[i].Protocol, plans[i].WanPort);
                if (taken.TryGetValue(key, out int other))
                    errors.Add(new($"virtualServers[{i}].wanPort", $"{ForwardRules.ProtocolName(plans[i].Protocol)} port {plans[i].WanPort} is virtual server {plans[other].Id}'s already"));
                else taken[key] = i;
            }
            foreach (var (server, forward) in Clashes(plans, forwards ?? []))
                errors.Add(new($"virtualServers[{plans.IndexOf(server)}].wanPort",
                    $"{ForwardRules.ProtocolName(server.Protocol)} port {server.WanPort} is forwarded by forward {forward.Id} already"));
        }
        return errors.Count == before ? plans : null;
    }

    /// <summary>Every server whose WAN port a forward covers for the same protocol (disabled ones
    /// included, as between forwards: turning one on must never fail over another).</summary>
    public static IEnumerable<(VirtualServerPlan Server, ForwardPlan Forward)> Clashes(IReadOnlyList<VirtualServerPlan> servers, IReadOnlyList<ForwardPlan> forwards) =>
        from s in servers
        from f in forwards
        where f.Protocols.HasFlag(s.Protocol) && s.WanPort >= f.WanStart && s.WanPort <= f.WanEnd
        select (s, f);

    static VirtualServerPlan? Check(VirtualServer s, string at, LanPlan? lan, IReadOnlySet<MacAddress>? ownMacs, HashSet<int> ids, List<FieldError> errors)
    {
        int before = errors.Count;
        // The id is part of an IPVS firewall mark (Balancing.Mark): 16 bits.
        if (s.Id is < 1 or > 0xffff) errors.Add(new($"{at}.id", "must be a whole number from 1 to 65535 (the router assigns it)"));
        else if (!ids.Add(s.Id)) errors.Add(new($"{at}.id", $"{s.Id} names another virtual server already"));

        ForwardProtocols protocol = s.Protocol switch { "tcp" => ForwardProtocols.Tcp, "udp" => ForwardProtocols.Udp, _ => 0 };
        if (protocol == 0) errors.Add(new($"{at}.protocol", "must be tcp or udp"));
        if (s.WanPort is < 1 or > 65535) errors.Add(new($"{at}.wanPort", $"{s.WanPort} is not a port (1-65535)"));
        Scheduler scheduler = s.Scheduler switch { "rr" => Scheduler.RoundRobin, "wlc" => Scheduler.WeightedLeastConnections, _ => (Scheduler)(-1) };
        if (scheduler < 0) errors.Add(new($"{at}.scheduler", "must be rr (round-robin by weight) or wlc (weighted least-connections)"));

        var backends = new List<BackendPlan>();
        if (s.Backends.Count is 0 or > MaxBackends)
            errors.Add(new($"{at}.backends", $"a virtual server has 1 to {MaxBackends} backends"));
        else
        {
            var keys = new HashSet<string>();
            for (int i = 0; i < s.Backends.Count; i++)
                if (CheckBackend(s.Backends[i], $"{at}.backends[{i}]", lan, ownMacs, errors) is { } b)
                {
                    if (!keys.Add(b.Key)) errors.Add(new($"{at}.backends[{i}]", $"{b.Key} is a backend of this server already"));
                    backends.Add(b);
                }
        }

        if (s.Description is { } d && (d.Length > ForwardRules.MaxDescription || TextRules.HasControlCharacter(d)))
            errors.Add(new($"{at}.description", $"must be at most {ForwardRules.MaxDescription} characters without control characters"));

        return errors.Count == before ? new VirtualServerPlan(s.Id, protocol, s.WanPort, scheduler, backends, s.Enabled, s.Description) : null;
    }

    static BackendPlan? CheckBackend(VirtualServerBackend b, string at, LanPlan? lan, IReadOnlySet<MacAddress>? ownMacs, List<FieldError> errors)
    {
        int before = errors.Count;
        MacAddress? mac = null;
        IPAddress? address = null;
        if ((b.Mac is null) == (b.Address is null))
            errors.Add(new(at, "name the backend by mac or by address (one of the two)"));
        else if (b.Mac is { } m)
        {
            if (!MacAddress.TryParse(m, out var parsed) || !parsed.IsUnicast || parsed.IsZero)
                errors.Add(new($"{at}.mac", $"'{TextRules.Printable(m)}' is not a device MAC address (aa:bb:cc:dd:ee:ff)"));
            else if (ownMacs is not null && ownMacs.Contains(parsed))
                errors.Add(new($"{at}.mac", $"{parsed} is the router itself: a backend is a LAN device"));
            else mac = parsed;
        }
        else if (!Ipv4Network.TryParseAddress(b.Address, out uint a))
            errors.Add(new($"{at}.address", $"'{TextRules.Printable(b.Address!)}' is not an IPv4 address"));
        else if (lan is { } l && (!l.Address.Contains(a) || !l.Address.IsHostAddress(a)))
            errors.Add(new($"{at}.address", $"{Ipv4Network.Format(a)} is not a device address in the LAN {l.Address.Network}/{l.Address.PrefixLength}"));
        else if (lan is { } r && a == r.Address.Address)
            errors.Add(new($"{at}.address", $"{Ipv4Network.Format(a)} is the router itself: a backend is a LAN device"));
        else address = Ipv4Network.FromUInt(a);

        if (b.Port is < 1 or > 65535) errors.Add(new($"{at}.port", $"{b.Port} is not a port (1-65535)"));
        if (b.Weight is < 1 or > MaxWeight) errors.Add(new($"{at}.weight", $"must be 1 to {MaxWeight}"));
        return errors.Count == before ? new BackendPlan(mac, address, b.Port, b.Weight) : null;
    }
}
