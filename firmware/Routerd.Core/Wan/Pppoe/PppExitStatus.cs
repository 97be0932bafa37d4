namespace Routerd.Core.Wan;

/// <summary>pppd's exit status (pppd(8), EXIT STATUS) as the WAN status code the UI shows.</summary>
public static class PppExitStatus
{
    public const int NoKernelSupport = 4, ConnectFailed = 8, NegotiationFailed = 10, PeerDead = 15, HungUp = 16, AuthFailed = 19;

    /// <summary>The code after pppd exited with <paramref name="exit"/>, and a sentence for the log and the UI.</summary>
    public static (string Code, string Message) Describe(int exit) => exit switch
    {
        AuthFailed => (WanCodes.AuthFailed, "the ISP refused the username or password"),
        PeerDead => (WanCodes.PeerDead, "the ISP stopped answering LCP echo requests"),
        // With the PPPoE plugin the "connect" step is discovery: no PADO (or no PADS) came back.
        ConnectFailed => (WanCodes.NoServer, "no PPPoE access concentrator answered on the WAN port"),
        HungUp => (WanCodes.Connecting, "the session was ended (the ISP sent PADT or the link dropped); redialling"),
        NegotiationFailed => (WanCodes.Connecting, "PPP negotiation with the ISP failed; redialling"),
        // Redialling cannot help: the system itself cannot dial, and the owner must be told so.
        NoKernelSupport => (WanCodes.NoPpp, "this router's system cannot dial PPPoE: its kernel has no PPP support (/dev/ppp, the ppp_generic and pppoe modules)"),
        1 or 2 => (WanCodes.Connecting, $"pppd failed to start (exit {exit}); see pppd.log"),
        _ => (WanCodes.Connecting, $"pppd exited with status {exit}; redialling"),
    };
}

/// <summary>The WAN status codes of the API contract.</summary>
public static class WanCodes
{
    public const string Up = "wan/UP", Connecting = "wan/CONNECTING", AuthFailed = "wan/AUTH_FAILED",
        NoServer = "wan/NO_SERVER", PeerDead = "wan/PEER_DEAD", LinkDown = "wan/LINK_DOWN", NoPpp = "wan/NO_PPP",
        WrongService = "wan/WRONG_SERVICE", WrongAc = "wan/WRONG_AC";
}
