namespace Routerd.Core.Wan;

/// <summary>What pppd's own log lines add to its exit status. When LCP echoes go unanswered
/// pppd sets status 15 and starts closing the link, but with kernel-mode PPPoE the channel is
/// torn down while it closes, pppd then logs "Modem hangup" and exits with 16, the status of a
/// hang-up (seen with pppd 2.4.9 on Debian 12). The same happens after a refused password
/// (19 becomes 16). Its log lines say what really happened. Without /dev/ppp pppd 2.4.9 logs
/// "Couldn't open the /dev/ppp device" and exits with 1, not with 4, the status for a kernel
/// without PPP (seen on a kernel without ppp_generic).</summary>
public static class PppdLog
{
    /// <returns>the exit status this line announces, or null for any other line.</returns>
    public static int? Announces(string line) =>
        line.Contains("echo-requests", StringComparison.Ordinal) && line.Contains("No response to", StringComparison.Ordinal) ||
        line.Contains("Serial link appears to be disconnected", StringComparison.Ordinal)
            ? PppExitStatus.PeerDead
            : line.Contains("CHAP authentication failed", StringComparison.Ordinal) || line.Contains("PAP authentication failed", StringComparison.Ordinal)
                ? PppExitStatus.AuthFailed
                : line.Contains("Couldn't open the /dev/ppp device", StringComparison.Ordinal) ||
                  line.Contains("kernel does not support PPP", StringComparison.Ordinal)
                    ? PppExitStatus.NoKernelSupport
                    : null;

    /// <summary>The status that says why the session ended: a hang-up that followed an
    /// announced dead peer was the dead peer; any exit after "no /dev/ppp" was that.</summary>
    public static int Effective(int exitStatus, int? announced) => announced switch
    {
        PppExitStatus.NoKernelSupport => announced.Value,
        { } a when exitStatus == PppExitStatus.HungUp => a,
        _ => exitStatus,
    };
}
