namespace Routerd.Lab;

public sealed record LabOptions
{
    public RouterdCommand Routerd { get; init; } = RouterdCommand.Default();
    /// <summary>False builds the topology only; the caller starts routerd (e.g. to see it refuse to).</summary>
    public bool StartRouterd { get; init; } = true;
    /// <summary>Loopback port of the web relay into the router's web UI; 0 for none (tests run
    /// several labs, and only one can own a port).</summary>
    public int RelayPort { get; init; }
    /// <summary>The DHCP hostname the phone sends (option 12); null: "phone". Tests put hostile
    /// text here to see that it reaches the UI as text only.</summary>
    public string? PhoneHostname { get; init; }
    /// <summary>Where the lab narrates what it does; silent by default.</summary>
    public Action<string> Log { get; init; } = _ => { };
}
