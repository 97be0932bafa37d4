using System.Net;

namespace Routerd.Core.Diagnostics;

/// <summary>What nftables did with a traced packet, as the kernel's types name it (enum nft_trace_types).</summary>
public enum TraceType { Unspecified = 0, Policy = 1, Return = 2, Rule = 3 }

/// <summary>A verdict as nftables reports it (the netfilter verdicts and nft_verdicts), by name.</summary>
public enum TraceVerdict { Unknown, Drop, Accept, Stolen, Queue, Repeat, Stop, Continue, Break, Jump, Goto, Return }

/// <summary>The addresses and ports of a traced packet, read from the headers the kernel sends with
/// the first event of each hook (after the NAT of the hooks before it).</summary>
public sealed record TracePacket(IPAddress Source, IPAddress Destination, byte Protocol, int? SourcePort, int? DestinationPort);

/// <summary>One trace event (NFT_MSG_TRACE): a packet passed a rule that matched, returned from a
/// chain, or met a base chain's policy. <see cref="Id"/> is the kernel's id of the packet buffer.</summary>
public sealed record TraceEvent(
    uint Id,
    string Table,
    string Chain,
    TraceType Type,
    ulong? RuleHandle,
    TraceVerdict Verdict,
    string? JumpTarget = null,
    TracePacket? Packet = null,
    int? InputInterface = null,
    int? OutputInterface = null);

/// <summary>A chain of the router's table as listed: a base chain's hook, type and policy.</summary>
public sealed record TraceChain(string Name, string? Hook, string? Type, string? Policy);

/// <summary>The router's table as it was listed at the end of a trace: every chain, and every
/// rule's comment by handle, so an event's rule handle becomes the reason written beside the rule.</summary>
public sealed record RuleBook(string Table, IReadOnlyDictionary<string, TraceChain> Chains, IReadOnlyDictionary<ulong, string?> Comments)
{
    public static readonly RuleBook Empty = new("", new Dictionary<string, TraceChain>(), new Dictionary<ulong, string?>());
}

/// <summary>Everything a trace saw: its events in the order they came, the table's rules, the
/// names of the interfaces by index, and whether it stopped early at its bound.</summary>
public sealed record TraceCapture(IReadOnlyList<TraceEvent> Events, RuleBook Rules, IReadOnlyDictionary<int, string> Interfaces, bool Truncated);

/// <summary>Runs one trace on the kernel (the nft adapter): adds the trace rule, collects the
/// events for the plan's seconds, removes the rule, lists the table.</summary>
public interface IConnectionTracer
{
    Task<TraceCapture> TraceAsync(TracePlan plan, CancellationToken cancellationToken);
}

/// <summary>A trace that could not run: <see cref="Code"/> is diagnostics/TRACE_BUSY (another
/// trace is running: one at a time, there is one trace chain) or diagnostics/TRACE_FAILED.</summary>
public sealed class TraceException(string code, string message) : Exception(message)
{
    public const string Busy = "diagnostics/TRACE_BUSY", Failed = "diagnostics/TRACE_FAILED";
    public string Code { get; } = code;
}
