namespace Routerd.Lab;

public sealed record LabOptions
{
    public RouterdCommand Routerd { get; init; } = RouterdCommand.Default();
    /// <summary>False builds the topology only; the caller starts routerd (e.g. to see it refuse to).</summary>
    public bool StartRouterd { get; init; } = true;
    /// <summary>Loopback port of the web relay into the router's web UI; 0 for none (tests run
    /// several labs, and only one can own a port).</summary>
    public int RelayPort { get; init; }
    /// <summary>Board "Tools" entries to override (e.g. Pppd → a wrapper that records its arguments).</summary>
    public IReadOnlyDictionary<string, string> Tools { get; init; } = new Dictionary<string, string>();
    /// <summary>Runs a PPPoE access concentrator in the ISP namespace too; null: none.</summary>
    public PppoeServerOptions? PppoeServer { get; init; }
    /// <summary>Where the lab narrates what it does; silent by default.</summary>
    public Action<string> Log { get; init; } = _ => { };
}
