namespace Routerd.Core.Wan;

/// <summary>The OS edge for PPPoE: runs pppd from a rendered plan (Routerd.Platform's PppdService;
/// tests use a fake). It decides no policy: it reports each exit to <see cref="Exited"/> and
/// dials again when told (<see cref="RedialAfter"/>).</summary>
public interface IPppClient
{
    /// <summary>The running pppd's process id (null while none runs).</summary>
    int? Pid { get; }
    /// <summary>Starts pppd, restarts it when the plan changed, or (with null) stops it.</summary>
    void Apply(PppdPlan? plan);
    /// <summary>pppd exited: its exit status, the status its log announced (null: none), its pid.
    /// Called on the supervisor's thread; the loop posts it as an event.</summary>
    Action<int, int?, int>? Exited { set; }
    /// <summary>Dials again after <paramref name="wait"/> (after an exit; nothing while pppd runs).</summary>
    void RedialAfter(TimeSpan wait);
    /// <summary>Ends a pending wait and dials now (the cable came back).</summary>
    void RedialNow();
    /// <summary>Ends the session (pppd sends PADT and exits); the loop decides the redial.</summary>
    /// <returns>false when pppd was not running.</returns>
    bool HangUp();
}
