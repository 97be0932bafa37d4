namespace Routerd.Core.Wan;

/// <summary>What pppd's own log lines add to its exit status. When LCP echoes go unanswered
/// pppd sets status 15 and starts closing the link, but with kernel-mode PPPoE the channel is
/// torn down while it closes, pppd then logs "Modem hangup" and exits with 16, the status of a
/// hang-up (seen with pppd 2.4.9 on Debian 12). The same happens after a refused password
/// (19 becomes 16). Its log lines say what really happened.</summary>
public static class PppdLog
{
    /// <returns>the exit status this line announces, or null for any other line.</returns>
    public static int? Announces(string line) =>
        line.Contains("echo-requests", StringComparison.Ordinal) && line.Contains("No response to", StringComparison.Ordinal) ||
        line.Contains("Serial link appears to be disconnected", StringComparison.Ordinal)
            ? PppExitStatus.PeerDead
            : line.Contains("CHAP authentication failed", StringComparison.Ordinal) || line.Contains("PAP authentication failed", StringComparison.Ordinal)
                ? PppExitStatus.AuthFailed
                : null;

    /// <summary>The status that says why the session ended: a hang-up that followed an
    /// announced dead peer was the dead peer.</summary>
    public static int Effective(int exitStatus, int? announced) =>
        exitStatus == PppExitStatus.HungUp && announced is { } a ? a : exitStatus;
}
