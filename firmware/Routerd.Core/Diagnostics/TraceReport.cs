using System.Net;
using System.Net.Sockets;
using Routerd.Core.Firewall;

namespace Routerd.Core.Diagnostics;

/// <summary>One step of a packet's path: a rule that matched, a chain it returned from, or a base
/// chain's policy, with the rule's comment (its reason, as NftRenderer wrote it) and what it did, in words.</summary>
public sealed record TraceStep(string Hook, string Table, string Chain, string Kind, ulong? Handle, string? Comment, string Verdict, string? Target, string Words);

/// <summary>One path through the firewall and how many traced packets took it.
/// <see cref="Fate"/>: dropped, forwarded (on to a LAN device), accepted (by the router itself),
/// queued (handed to a program) or unfinished (the trace saw no decision).</summary>
public sealed record TracePath(int Packets, string? Source, int? SourcePort, string? Destination, int? DestinationPort,
    string Fate, string? NatTo, string Words, IReadOnlyList<TraceStep> Steps);

/// <summary>The answer of POST /api/diagnostics/trace: what was traced, and every path in words.</summary>
public sealed record TraceResult(string Protocol, int Port, string? From, string? To, int Seconds, int Packets, bool Truncated,
    string Summary, IReadOnlyList<TracePath> Paths);

/// <summary>Turns a trace's events into paths and plain words. Pure: the events, the table as
/// listed and the port forwards in, sentences out.</summary>
public static class TraceReport
{
    public const string Dropped = "dropped", Forwarded = "forwarded", Accepted = "accepted", Queued = "queued", Unfinished = "unfinished";

    public static TraceResult Build(TracePlan plan, TraceCapture capture, ForwardMap forwards)
    {
        var packets = SplitPackets(capture.Events);
        var paths = new List<TracePath>();
        var index = new Dictionary<string, int>();
        foreach (var events in packets)
        {
            var path = PathOf(plan, events, capture, forwards);
            // Packets that took the same way from the same sender are one path with a count.
            string key = $"{path.Source}|{path.Words}|{string.Join(",", path.Steps.Select(s => $"{s.Chain}/{s.Handle}/{s.Verdict}"))}";
            if (index.TryGetValue(key, out int i)) paths[i] = paths[i] with { Packets = paths[i].Packets + 1 };
            else
            {
                index[key] = paths.Count;
                paths.Add(path);
            }
        }
        return new TraceResult(plan.Protocol, plan.Port, plan.From?.ToString(), plan.To?.ToString(), plan.Seconds, packets.Count, capture.Truncated,
            Summary(plan, paths, capture.Truncated), paths);
    }

    /// <summary>The events of each packet, in order. The kernel's id names a packet buffer, and a
    /// buffer is reused for later packets: a packet starts where the tracer's own rule (the one that
    /// set nftrace on it) reports it.</summary>
    internal static List<List<TraceEvent>> SplitPackets(IReadOnlyList<TraceEvent> events)
    {
        var packets = new List<List<TraceEvent>>();
        var current = new Dictionary<uint, List<TraceEvent>>();
        foreach (var e in events)
        {
            if (StartsPacket(e) || !current.TryGetValue(e.Id, out var list))
            {
                list = [];
                current[e.Id] = list;
                packets.Add(list);
            }
            list.Add(e);
        }
        return packets;
    }

    /// <summary>The tracer's own rule reporting a packet it has just marked: where a packet's events begin.
    /// Only the rule with a handle: the kernel (6.18) also reports the chain's end as a rule event without one.</summary>
    public static bool StartsPacket(TraceEvent e) =>
        e.Chain == TraceRenderer.ChainName && e.Table == NftRenderer.TableName && e.Type == TraceType.Rule && e.RuleHandle is not null;

    static TracePath PathOf(TracePlan plan, List<TraceEvent> events, TraceCapture capture, ForwardMap forwards)
    {
        var rules = capture.Rules;
        TracePacket? first = null;
        string? natTo = null;
        string? outInterface = null;
        string hook = "";
        var steps = new List<TraceStep>();
        foreach (var e in events)
        {
            bool ours = e.Table == rules.Table;
            if (ours && rules.Chains.TryGetValue(e.Chain, out var chain) && chain.Hook is { } h) hook = h;
            else if (!ours) hook = "";
            if (e.Packet is { } p)
            {
                first ??= p;
                // Headers come again at each hook: a destination that changed was translated (DNAT).
                if (natTo is null && (!p.Destination.Equals(first.Destination) || p.DestinationPort != first.DestinationPort))
                    natTo = Endpoint(p.Destination, p.DestinationPort);
            }
            if (e.OutputInterface is { } oif && capture.Interfaces.TryGetValue(oif, out var name)) outInterface = name;
            // The tracer's own chain is how the packet came to be traced, not part of its path; a
            // rule event without a rule is the kernel saying a chain's rules ran out (policy or return follows).
            if (ours && e.Chain == TraceRenderer.ChainName) continue;
            if (e is { Type: TraceType.Rule, RuleHandle: null, Verdict: TraceVerdict.Continue }) continue;
            string? comment = ours && e.RuleHandle is { } handle && rules.Comments.TryGetValue(handle, out var c) ? c : null;
            string? type = ours && rules.Chains.TryGetValue(e.Chain, out var ch) ? ch.Type : null;
            steps.Add(new TraceStep(hook.Length > 0 ? hook : "?", e.Table, e.Chain, Kind(e.Type), e.RuleHandle, comment, Verdict(e.Verdict), e.JumpTarget,
                StepWords(e, comment, type)));
        }

        var (fate, words) = Fate(plan.For(first), steps, natTo, outInterface, forwards);
        return new TracePath(1, first?.Source.ToString(), first?.SourcePort, first?.Destination.ToString(), first?.DestinationPort, fate, natTo, words, steps);
    }

    /// <summary>What became of the packet, decided by the first step that ends its way (a drop, a
    /// queue) or, failing that, the last hook it was accepted in.</summary>
    static (string Fate, string Words) Fate(TracePlan plan, List<TraceStep> steps, string? natTo, string? outInterface, ForwardMap forwards)
    {
        var nat = steps.FirstOrDefault(s => s.Kind == "rule" && s.Verdict == "accept" && s.Hook == "prerouting" && natTo is not null);
        string natWords = nat is null ? "" : $"sent on to {natTo} by {Rule(nat)} ({Where(nat)}), then ";
        var drop = steps.FirstOrDefault(s => s.Verdict == "drop");
        if (drop is not null)
        {
            string by = drop.Kind == "policy"
                ? $"dropped by the {drop.Hook} policy of chain {drop.Chain}: no rule let it through"
                : $"dropped by {Rule(drop)} ({Where(drop)})";
            string reason = nat is null ? ": " + ForwardWords(plan, forwards) : "";
            return (Dropped, natWords + by + reason);
        }
        var queued = steps.FirstOrDefault(s => s.Verdict is "queue" or "stolen");
        if (queued is not null) return (Queued, natWords + $"handed over by {Rule(queued)} ({Where(queued)})");
        var input = steps.LastOrDefault(s => s.Hook == "input" && s.Verdict == "accept");
        if (input is not null)
            return (Accepted, natWords + $"accepted by the router itself: {(input.Kind == "policy" ? $"the policy of chain {input.Chain}" : Rule(input))}");
        var forward = steps.LastOrDefault(s => s.Hook == "forward" && s.Verdict == "accept");
        if (forward is not null)
            return (Forwarded, natWords + $"let through by {(forward.Kind == "policy" ? $"the policy of chain {forward.Chain}" : Rule(forward))} ({Where(forward)})" +
                (outInterface is null ? "" : $" and out of {outInterface}"));
        string last = steps.Count == 0 ? "the tracer's own rule" : $"{Where(steps[^1])}";
        return (Unfinished, natWords + $"no decision was seen after {last}: the kernel dropped it outside nftables (no route, reverse-path filter) or the trace ended first");
    }

    /// <summary>Why the WAN side found nothing at this port: what the port forwards say about it.</summary>
    public static string ForwardWords(TracePlan plan, ForwardMap forwards)
    {
        var protocol = plan.Protocol switch { "udp" => ForwardProtocols.Udp, "tcp" => ForwardProtocols.Tcp, _ => ForwardProtocols.Both };
        var target = forwards.Targets.FirstOrDefault(t => (t.Forward.Protocols & protocol) != 0 && t.Forward.WanStart <= plan.Port && plan.Port <= t.Forward.WanEnd);
        return target switch
        {
            null => $"no port forward for {plan.PortName}",
            { Reason: ForwardTarget.Disabled } => $"the port forward for {plan.PortName} is turned off",
            { Reason: ForwardTarget.NoAddress } => $"the port forward for {plan.PortName} leads nowhere now: its device has no address on the LAN",
            _ => $"the port forward for {plan.PortName} to {target.Address} did not apply to this packet (it came in on another interface, or to an address that is not the router's)",
        };
    }

    /// <summary>One step in words, for each verdict the kernel reports.</summary>
    public static string StepWords(TraceEvent e, string? comment, string? chainType)
    {
        string rule = comment is null ? $"rule {e.RuleHandle}" : $"“{comment}”";
        return (e.Type, e.Verdict) switch
        {
            (TraceType.Policy, TraceVerdict.Accept) => $"no rule of chain {e.Chain} decided; its policy accepts",
            (TraceType.Policy, TraceVerdict.Drop) => $"no rule of chain {e.Chain} let it through; its policy drops",
            (TraceType.Policy, _) => $"chain {e.Chain}'s policy: {Verdict(e.Verdict)}",
            (TraceType.Return, _) => $"no rule of chain {e.Chain} decided; back to the chain that jumped to it",
            (_, TraceVerdict.Accept) when chainType == "nat" => $"address translated (NAT) by {rule}",
            (_, TraceVerdict.Accept) => $"accepted by {rule}",
            (_, TraceVerdict.Drop) => $"dropped by {rule}",
            (_, TraceVerdict.Jump) => $"matched {rule}; on to chain {e.JumpTarget}",
            (_, TraceVerdict.Goto) => $"matched {rule}; on to chain {e.JumpTarget} for good (goto)",
            (_, TraceVerdict.Continue) => $"matched {rule} and went on",
            (_, TraceVerdict.Return) => $"matched {rule}; back to the chain that jumped here",
            (_, TraceVerdict.Queue) => $"handed to a program in user space by {rule}",
            (_, TraceVerdict.Stolen) => $"taken over by {rule}",
            _ => $"{rule}: verdict {Verdict(e.Verdict)}",
        };
    }

    static string Summary(TracePlan plan, List<TracePath> paths, bool truncated)
    {
        if (paths.Count == 0)
        {
            string filter = (plan.From is null ? "" : $" from {plan.From}") + (plan.To is null ? "" : $" to {plan.To}");
            return $"No new {plan.PortName} connection{filter} reached the router in {plan.Seconds} s. Try again while you connect from outside " +
                "(a phone on mobile data, not on the home Wi-Fi), to the router's internet address.";
        }
        // The sender by address alone: packets of several attempts (other source ports) share a path.
        var lines = paths.Select(p =>
            $"{p.Packets} packet{(p.Packets == 1 ? "" : "s")} from {p.Source ?? "?"} to {Endpoint(p.Destination, p.DestinationPort)}: {p.Words}.");
        return string.Join(" ", lines) + (truncated ? " (The trace stopped early: it had seen as many packets as it keeps.)" : "");
    }

    static string Rule(TraceStep s) => s.Comment is { } c ? $"“{c}”" : s.Handle is { } h ? $"rule {h} of chain {s.Chain}" : $"chain {s.Chain}";

    static string Where(TraceStep s) => s.Table == NftRenderer.TableName ? $"chain {s.Chain}, {s.Hook} hook" : $"chain {s.Chain} of table {s.Table}";

    static string Kind(TraceType t) => t switch { TraceType.Rule => "rule", TraceType.Return => "return", TraceType.Policy => "policy", _ => "event" };

    public static string Verdict(TraceVerdict v) => v.ToString().ToLowerInvariant();

    static string Endpoint(IPAddress address, int? port) =>
        port is null ? address.ToString() : address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";

    static string Endpoint(string? address, int? port) =>
        address is null ? "?" : port is null ? address : address.Contains(':') ? $"[{address}]:{port}" : $"{address}:{port}";
}
