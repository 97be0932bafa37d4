using Routerd.Core.Net;
using Routerd.Core.Loop;
using Routerd.Core.Qos;

namespace Routerd.Core.Wan;

/// <summary>What routerd knows about the PPPoE session, from pppd's hooks and exit status and
/// the WAN port's carrier, and the redial policy that follows from it. Not thread-safe: only
/// the PPPoE handler uses it, on the loop's thread.</summary>
public sealed class PppSession(TimeProvider clock)
{
    /// <summary>Do not hang up a session younger than this for the daily reconnect.</summary>
    public static readonly TimeSpan MinAgeForReconnect = TimeSpan.FromHours(1);
    /// <summary>The daily reconnect happens within this long after its time (routerd checks periodically).</summary>
    public static readonly TimeSpan ReconnectWindow = TimeSpan.FromMinutes(10);

    string code = WanCodes.Connecting;
    string? message;
    bool carrier = true;
    int failures;
    bool wasUp, reconnecting;
    DateOnly? reconnectedOn;

    public WanLease? Lease { get; private set; }
    public string? SessionId { get; private set; }
    /// <summary>When IPCP came up, as the clock's monotonic timestamp (<see cref="TimeProvider.GetTimestamp"/>):
    /// the uptime and the reconnect's minimum age are durations, which NTP stepping the date must not stretch.</summary>
    public long? UpSince { get; private set; }
    public bool Carrier => carrier;

    /// <summary>The status code: no carrier wins over everything, a session that is up over
    /// the reason the last one ended.</summary>
    public string Code => !carrier ? WanCodes.LinkDown : Lease is not null ? WanCodes.Up : code;
    public string? Message => !carrier ? "no cable or no link on the WAN port" : Lease is not null ? null : message;
    public long? UptimeSeconds => Lease is not null && UpSince is { } since ? (long)clock.GetElapsedTime(since).TotalSeconds : null;

    /// <summary>pppd was (re)started from a new plan: nothing learned before counts.</summary>
    public void Reset()
    {
        (code, message, failures, wasUp, reconnecting) = (WanCodes.Connecting, null, 0, false, false);
        (Lease, SessionId, UpSince) = (null, null, null);
    }

    /// <summary>IPCP came up: the session's lease (the local address as a /32, the peer as the
    /// gateway, the DNS servers). Throws FormatException for a report that is not an address.</summary>
    public WanLease Up(PppHookReport r)
    {
        if (r.Interface != WanInterfaces.PppInterface) throw new FormatException($"interface '{r.Interface}' is not {WanInterfaces.PppInterface}");
        if (!Ipv4Network.TryParseAddress(r.Local, out uint local)) throw new FormatException($"local address '{r.Local}' is not an IPv4 address");
        uint? peer = Ipv4Network.TryParseAddress(r.Remote, out uint p) ? p : null;
        var dns = new[] { r.Dns1, r.Dns2 }.Where(d => Ipv4Network.TryParseAddress(d, out _)).Select(d => d!).Distinct().ToList();
        Lease = new WanLease(WanInterfaces.PppInterface, new Ipv4Network(local, 32), peer, dns);
        SessionId = r.SessionId is { Length: <= 6 } s && s.StartsWith("0x", StringComparison.Ordinal) && s[2..].All(char.IsAsciiHexDigit) ? s : null;
        UpSince = clock.GetTimestamp();
        (wasUp, failures, code, message) = (true, 0, WanCodes.Up, null);
        return Lease;
    }

    /// <summary>Replaces the reason of the last failed dial by a more precise one, while that
    /// reason is still <paramref name="was"/> (no new session or failure since).</summary>
    /// <returns>whether it was replaced.</returns>
    public bool Explain(string was, string code, string message)
    {
        if (Lease is not null || this.code != was) return false;
        (this.code, this.message) = (code, message);
        return true;
    }

    /// <summary>IPCP went down (pppd exits next and tells why).</summary>
    public void Down()
    {
        (Lease, SessionId, UpSince) = (null, null, null);
        (code, message) = (WanCodes.Connecting, "the session went down");
    }

    /// <summary>pppd exited: records why and returns the wait before the next dial. The first
    /// redial after a session that was up comes quickly; each further failure doubles the wait
    /// (a wrong password must not hammer the ISP, which may lock the account).</summary>
    public TimeSpan Exited(int status, PppoePlan plan)
    {
        (Lease, SessionId, UpSince) = (null, null, null);
        if (reconnecting)
        {
            (reconnecting, code, message) = (false, WanCodes.Connecting, "daily reconnect");
            return TimeSpan.Zero;
        }
        (code, message) = PppExitStatus.Describe(status);
        if (wasUp) failures = 0;
        wasUp = false;
        failures++;
        // Without a cable every dial fails at once: wait long, the carrier coming back redials.
        if (!carrier) return plan.RedialMax;
        return Backoff(plan, failures);
    }

    public static TimeSpan Backoff(PppoePlan plan, int failures)
    {
        double factor = Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromTicks((long)Math.Min(plan.RedialInitial.Ticks * factor, plan.RedialMax.Ticks));
    }

    /// <returns>true when the carrier came back: the caller redials at once, with a fresh backoff.</returns>
    public bool CarrierChanged(bool present)
    {
        bool cameBack = present && !carrier;
        carrier = present;
        if (cameBack) failures = 0;
        return cameBack;
    }

    /// <summary>True once a day at the configured time, for a session old enough; the caller hangs up.</summary>
    public bool ReconnectDue(PppoePlan plan)
    {
        if (plan.ReconnectAt is not { } at || Lease is null || UpSince is not { } since) return false;
        var now = clock.GetLocalNow();
        var today = DateOnly.FromDateTime(now.DateTime);
        var due = now.Date + at.ToTimeSpan();
        if (reconnectedOn == today || now.DateTime < due || now.DateTime >= due + ReconnectWindow) return false;
        if (clock.GetElapsedTime(since) < MinAgeForReconnect) return false;
        (reconnectedOn, reconnecting) = (today, true);
        return true;
    }
}
