namespace Routerd.Lab;

/// <summary>An ISP's PPPoE access concentrator: rp-pppoe's user-mode <c>pppoe-server</c> on the
/// ISP side of the WAN cable. It answers discovery (PADI → PADO) on any kernel; sessions make it
/// run pppd, which needs kernel PPP (the lab VM), with the options file given.</summary>
public sealed record PppoeServerOptions
{
    public string AcName { get; init; } = "lab-bras";
    /// <summary>Service names it advertises; empty: it answers any.</summary>
    public IReadOnlyList<string> Services { get; init; } = ["internet"];
    /// <summary>pppd options for the sessions (-O); null: the system's /etc/ppp/pppoe-server-options.</summary>
    public string? PppdOptionsFile { get; init; }

    /// <summary>The command line inside <paramref name="ns"/> on <paramref name="device"/>, in the foreground.</summary>
    public string[] Command(string ns, string device)
    {
        var argv = new List<string> { "ip", "netns", "exec", ns, "pppoe-server", "-F", "-I", device, "-C", AcName };
        foreach (var s in Services) argv.AddRange(["-S", s]);
        if (PppdOptionsFile is not null) argv.AddRange(["-O", PppdOptionsFile]);
        return [.. argv];
    }
}
