using System.Diagnostics;
using System.Security.Cryptography;
using Routerd.Core.Net;
using Routerd.Core.Wan;

namespace Routerd.Platform.Pppoe;

/// <summary>What a discovery probe saw within its time: every access concentrator that
/// answered, and how long the first answer took (null: none came: no PPPoE server on this cable).</summary>
public sealed record PppoeProbeResult(string Device, IReadOnlyList<PppoeOffer> Offers, double? FirstAnswerMs, double WaitedMs);

/// <summary>Sends PADIs on an Ethernet port and collects the PADOs that answer (RFC 2516 5.1,
/// 5.2). Used to tell "no PPPoE server on this cable" from "wrong password" and to suggest the
/// WAN mode on first setup. It never sends a PADR: no session is started.</summary>
public static class PppoeProbe
{
    /// <param name="attempts">PADIs sent, evenly over <paramref name="timeout"/> (a lost frame
    /// or an access concentrator still starting up gets another chance).</param>
    public static PppoeProbeResult Run(int ifindex, MacAddress mac, string device, TimeSpan timeout, string? serviceName = null, int attempts = 3)
    {
        Span<byte> us = stackalloc byte[6];
        for (int i = 0; i < 6; i++) us[i] = (byte)(mac.Value >> (40 - 8 * i));
        Span<byte> hostUniq = stackalloc byte[8];
        RandomNumberGenerator.Fill(hostUniq);
        Span<byte> padi = stackalloc byte[1514];
        int padiLength = PppoeFrameWriter.Padi(padi, us, serviceName, hostUniq);
        var buffer = new byte[2048];

        var offers = new Dictionary<string, PppoeOffer>();
        double? first = null;
        using var socket = PacketSocket.Open(ifindex, PppoeDiscovery.EthertypeDiscovery);
        var start = Stopwatch.GetTimestamp();
        var interval = timeout / Math.Max(1, attempts);
        for (int sent = 0; ; )
        {
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (elapsed >= timeout) break;
            if (sent < attempts && elapsed >= interval * sent)
            {
                socket.Send(padi[..padiLength]);
                sent++;
            }
            var nextSend = sent < attempts ? interval * sent : timeout;
            int wait = (int)Math.Ceiling((Min(nextSend, timeout) - Stopwatch.GetElapsedTime(start)).TotalMilliseconds);
            int n = socket.Receive(buffer, wait);
            if (n == 0) continue;
            if (PppoeOfferParser.TryParse(buffer.AsSpan(0, n), us, hostUniq) is { } offer)
            {
                first ??= Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                offers.TryAdd(offer.AcMac, offer);
            }
        }
        return new PppoeProbeResult(device, offers.Values.OrderBy(o => o.AcMac, StringComparer.Ordinal).ToList(), first,
            Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
