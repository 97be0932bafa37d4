using Routerd.Core.Wan;

namespace Routerd;

/// <summary>What pppd's ip-up/ip-down scripts know: pppd's environment (pppd(8), SCRIPTS; the
/// PPPoE plugin adds MACREMOTE) and the session id from the kernel's PPPoE table.</summary>
static class PppHook
{
    public static PppHookReport Report(string ev)
    {
        string? device = Env("DEVICE"), peer = Env("MACREMOTE");
        string? session = null;
        try { session = PppoeSessions.Find(File.ReadAllText("/proc/net/pppoe"), device, peer); }
        catch (IOException) { } // no kernel PPPoE table: the session id stays unknown
        catch (UnauthorizedAccessException) { }
        int? pid = int.TryParse(Env("PPPD_PID"), out int p) ? p : null;
        return new PppHookReport(ev, Env("IFNAME"), Env("IPLOCAL"), Env("IPREMOTE"), Env("DNS1"), Env("DNS2"), peer, session, pid);
    }

    static string? Env(string name) => Environment.GetEnvironmentVariable(name);
}
