using Routerd.Core.Net;
using Routerd.Core.Settings;

namespace Routerd.Core.Firewall;

/// <summary>The transport protocols a forward covers; each is one key prefix in the forward map.</summary>
[Flags]
public enum ForwardProtocols { Tcp = 1, Udp = 2, Both = Tcp | Udp }

/// <summary>A validated forward: WAN ports <see cref="WanStart"/>..<see cref="WanEnd"/> go to the
/// same number of ports from <see cref="LanStart"/> on the device <see cref="Mac"/>.</summary>
public sealed record ForwardPlan(int Id, ForwardProtocols Protocols, int WanStart, int WanEnd, MacAddress Mac, int LanStart, bool Enabled, string? Description)
{
    public int LanEnd => LanStart + (WanEnd - WanStart);
}

/// <summary>Checks the forward list field by field ("forwards[3].wanPortEnd") and builds the plans.</summary>
public static class ForwardRules
{
    /// <summary>A home has a handful; more than this is an attack or a script gone wrong (and
    /// bounds the document's size like the other lists).</summary>
    public const int MaxForwards = 1000;
    public const int MaxDescription = 64;

    public static string ProtocolName(ForwardProtocols p) => p switch
    {
        ForwardProtocols.Tcp => "tcp",
        ForwardProtocols.Udp => "udp",
        _ => "both",
    };

    /// <param name="ownMacs">the router's own interfaces' MACs (null: not known, the check is skipped).</param>
    /// <param name="edited">the id of the forward being created or changed: an overlap is its fault
    /// and named at its fields; otherwise at the later of the two.</param>
    public static IReadOnlyList<ForwardPlan>? Build(IReadOnlyList<PortForward> forwards, IReadOnlySet<MacAddress>? ownMacs, List<FieldError> errors, int? edited = null)
    {
        int before = errors.Count;
        if (forwards.Count > MaxForwards)
        {
            errors.Add(new("forwards", $"at most {MaxForwards} port forwards"));
            return null;
        }
        var plans = new List<ForwardPlan>();
        var ids = new HashSet<int>();
        for (int i = 0; i < forwards.Count; i++)
            if (Check(forwards[i], $"forwards[{i}]", ownMacs, ids, errors) is { } plan) plans.Add(plan);
        if (errors.Count == before) RefuseOverlaps(plans, edited, errors);
        return errors.Count == before ? plans : null;
    }

    /// <summary>The plans of <paramref name="forwards"/> after an edit of the one at
    /// <paramref name="at"/> (null: it was deleted), when <paramref name="others"/> are the plans of
    /// every other forward, in order, as they were checked when they were stored: only the edited
    /// forward is checked, and compared with the others for overlaps. An edit costs one forward,
    /// not the list. An overlap is named by <see cref="Build"/> over the whole list (its words are
    /// the ones the API has always given).</summary>
    public static IReadOnlyList<ForwardPlan>? BuildEdit(IReadOnlyList<PortForward> forwards, int? at, IReadOnlyList<ForwardPlan> others, IReadOnlySet<MacAddress>? ownMacs, List<FieldError> errors)
    {
        if (at is not { } i) return others;
        if (forwards.Count > MaxForwards) return Build(forwards, ownMacs, errors, forwards[i].Id);
        if (Check(forwards[i], $"forwards[{i}]", ownMacs, [], errors) is not { } plan) return null;
        foreach (var o in others)
            if ((o.Protocols & plan.Protocols) != 0 && o.WanStart <= plan.WanEnd && plan.WanStart <= o.WanEnd)
                return Build(forwards, ownMacs, errors, plan.Id);
        return [.. others.Take(i), plan, .. others.Skip(i)];
    }

    static ForwardPlan? Check(PortForward f, string at, IReadOnlySet<MacAddress>? ownMacs, HashSet<int> ids, List<FieldError> errors)
    {
        int before = errors.Count;
        if (f.Id < 1) errors.Add(new($"{at}.id", "must be a whole number from 1 up (the router assigns it)"));
        else if (!ids.Add(f.Id)) errors.Add(new($"{at}.id", $"{f.Id} names another forward already"));

        ForwardProtocols protocols = f.Protocol switch
        {
            "tcp" => ForwardProtocols.Tcp,
            "udp" => ForwardProtocols.Udp,
            "both" => ForwardProtocols.Both,
            _ => 0,
        };
        if (protocols == 0) errors.Add(new($"{at}.protocol", "must be tcp, udp or both"));

        bool startOk = Port($"{at}.wanPort", f.WanPort, errors);
        int end = f.WanPortEnd ?? f.WanPort;
        bool endOk = f.WanPortEnd is null || Port($"{at}.wanPortEnd", end, errors);
        if (startOk && endOk && end < f.WanPort)
            errors.Add(new($"{at}.wanPortEnd", $"{end} comes before the range's start {f.WanPort}"));

        int lan = f.LanPort ?? f.WanPort;
        if (f.LanPort is { } l && Port($"{at}.lanPort", l, errors) && startOk && endOk && l + (end - f.WanPort) > 65535)
            errors.Add(new($"{at}.lanPort", $"the LAN range {l}-{l + (end - f.WanPort)} must be as long as the WAN range and end by 65535"));

        if (!MacAddress.TryParse(f.Mac, out var mac) || !mac.IsUnicast || mac.IsZero)
            errors.Add(new($"{at}.mac", $"'{f.Mac}' is not a device MAC address (aa:bb:cc:dd:ee:ff)"));
        else if (ownMacs is not null && ownMacs.Contains(mac))
            errors.Add(new($"{at}.mac", $"{mac} is the router itself: a forward goes to a LAN device"));

        // The description reaches only the settings and JSON (never a ruleset or a command line);
        // control characters are refused anyway, like every name a person types.
        if (f.Description is { } d && (d.Length > MaxDescription || TextRules.HasControlCharacter(d)))
            errors.Add(new($"{at}.description", $"must be at most {MaxDescription} characters without control characters"));

        return errors.Count == before ? new ForwardPlan(f.Id, protocols, f.WanPort, end, mac, lan, f.Enabled, f.Description) : null;
    }

    static bool Port(string field, int port, List<FieldError> errors)
    {
        if (port is >= 1 and <= 65535) return true;
        errors.Add(new(field, $"{port} is not a port (1-65535)"));
        return false;
    }

    /// <summary>A WAN port can lead to one place per protocol: overlapping ranges are refused,
    /// disabled forwards included (turning one on must never fail over another). Sorted by start,
    /// each range only needs comparing with the furthest end before it.</summary>
    static void RefuseOverlaps(List<ForwardPlan> plans, int? edited, List<FieldError> errors)
    {
        foreach (var protocol in new[] { ForwardProtocols.Tcp, ForwardProtocols.Udp })
        {
            var sorted = plans.Select((p, i) => (Plan: p, Index: i)).Where(x => x.Plan.Protocols.HasFlag(protocol))
                .OrderBy(x => x.Plan.WanStart).ThenBy(x => x.Index).ToList();
            (ForwardPlan Plan, int Index)? reach = null;
            foreach (var x in sorted)
            {
                if (reach is { } r && x.Plan.WanStart <= r.Plan.WanEnd)
                {
                    var (blamed, other) = r.Plan.Id == edited || (x.Plan.Id != edited && r.Index > x.Index) ? (r, x) : (x, r);
                    var field = $"forwards[{blamed.Index}].wanPort";
                    if (!errors.Any(e => e.Field == field))
                        errors.Add(new(field, $"{ProtocolName(protocol)} port {x.Plan.WanStart} is forwarded by forward {other.Plan.Id} already"));
                }
                if (reach is null || x.Plan.WanEnd > reach.Value.Plan.WanEnd) reach = x;
            }
        }
    }
}
