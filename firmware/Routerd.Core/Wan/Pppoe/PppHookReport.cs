namespace Routerd.Core.Wan;

/// <summary>What pppd's ip-up/ip-down scripts report (their environment: IFNAME, IPLOCAL,
/// IPREMOTE, DNS1, DNS2, MACREMOTE) plus the PPPoE session id the hook read from
/// /proc/net/pppoe. Everything here came from the ISP: routerd parses it strictly.
/// PppdPid (PPPD_PID) tells a late report of a pppd that was already replaced from the current one.</summary>
public sealed record PppHookReport(string Event, string? Interface, string? Local, string? Remote, string? Dns1, string? Dns2,
    string? PeerMac = null, string? SessionId = null, int? PppdPid = null);
