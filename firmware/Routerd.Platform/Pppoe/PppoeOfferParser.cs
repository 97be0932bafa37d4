using System.Text;
using Routerd.Core.Net;
using Routerd.Core.Wan;
using static Routerd.Platform.Pppoe.PppoeDiscovery;

namespace Routerd.Platform.Pppoe;

/// <summary>Reads an access concentrator's answer (PADO) into a <see cref="PppoeOffer"/>; Error is
/// what a Service-Name-Error, AC-System-Error or Generic-Error tag said.</summary>
public static class PppoeOfferParser
{
    /// <summary>The text of a tag, safe to show and log: names come from whoever is on the cable.</summary>
    public const int MaxText = 64;

    /// <summary>A PADO to us (destination <paramref name="us"/>) carrying our Host-Uniq, or null
    /// for anything else: another code, another host's discovery, a malformed frame.</summary>
    public static PppoeOffer? TryParse(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> us, ReadOnlySpan<byte> hostUniq)
    {
        if (!PppoeFrameReader.TryOpen(frame, out var reader) || reader.Code != Pado || !reader.Destination.SequenceEqual(us)) return null;
        if ((reader.Source[0] & 1) != 0) return null; // an AC's MAC is unicast (RFC 2516 5.2)
        string? name = null, error = null;
        var services = new List<string>();
        bool ours = false;
        while (reader.TryReadTag(out ushort type, out var value))
        {
            switch (type)
            {
                case TagAcName: name ??= Text(value); break;
                case TagServiceName when services.Count < 16: services.Add(Text(value)); break;
                case TagHostUniq: ours = value.SequenceEqual(hostUniq); break;
                case TagServiceNameError or TagAcSystemError or TagGenericError: error ??= Text(value); break;
            }
        }
        if (reader.Malformed || !ours) return null;
        return new PppoeOffer(MacAddress.FromBytes(reader.Source).ToString(), name, services, error);
    }

    /// <summary>UTF-8 (invalid bytes become U+FFFD), control characters replaced, at most
    /// <see cref="MaxText"/> characters.</summary>
    static string Text(ReadOnlySpan<byte> value)
    {
        var s = Encoding.UTF8.GetString(value);
        var b = new StringBuilder(Math.Min(s.Length, MaxText));
        foreach (char c in s)
        {
            if (b.Length == MaxText || (b.Length == MaxText - 1 && char.IsHighSurrogate(c))) break;
            b.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? '?' : c);
        }
        return b.ToString();
    }
}
