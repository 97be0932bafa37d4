namespace Routerd.Core.Wan;

/// <summary>The OS edge for PPPoE: runs pppd from a rendered plan (Routerd.Platform's PppdService;
/// tests use a fake). It decides no policy: after each exit it asks <see cref="ExitPolicy"/> how
/// long to wait before dialling again.</summary>
public interface IPppClient
{
    /// <summary>The running pppd's process id (null while none runs).</summary>
    int? Pid { get; }
    /// <summary>Starts pppd, restarts it when the plan changed, or (with null) stops it.</summary>
    void Apply(PppdPlan? plan);
    /// <summary>Given pppd's exit status, the wait before the next dial (set by the reconciler).</summary>
    Func<int, TimeSpan>? ExitPolicy { set; }
    /// <summary>Ends a pending wait and dials now (the cable came back).</summary>
    void RedialNow();
    /// <summary>Ends the session (pppd sends PADT and exits); the exit policy decides the redial.</summary>
    /// <returns>false when pppd was not running.</returns>
    bool HangUp();
}
