using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Routerd.Core.Net;

/// <summary>An Ethernet address, always printed as lower-case "aa:bb:cc:dd:ee:ff" so that the same
/// device has one spelling in settings, nftables sets, dnsmasq and the API.</summary>
public readonly record struct MacAddress(ulong Value)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress mac)
    {
        mac = default;
        if (text is null || text.Length != 17) return false;
        char separator = text[2];
        if (separator != ':' && separator != '-') return false;
        ulong value = 0;
        for (int i = 0; i < 6; i++)
        {
            int at = i * 3;
            if (i > 0 && text[at - 1] != separator) return false;
            if (!byte.TryParse(text.AsSpan(at, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b)) return false;
            value = (value << 8) | b;
        }
        mac = new MacAddress(value);
        return true;
    }

    public static MacAddress Parse(string text) =>
        TryParse(text, out var mac) ? mac : throw new FormatException($"'{text}' is not a MAC address (expected aa:bb:cc:dd:ee:ff)");

    public static MacAddress FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 6) throw new ArgumentException("a MAC address has 6 bytes", nameof(bytes));
        ulong value = 0;
        foreach (byte b in bytes) value = (value << 8) | b;
        return new MacAddress(value);
    }

    /// <summary>Multicast/broadcast addresses never name a device.</summary>
    public bool IsUnicast => ((Value >> 40) & 1) == 0;

    public bool IsZero => Value == 0;

    public override string ToString() => string.Create(17, Value, static (span, v) =>
    {
        for (int i = 0; i < 6; i++)
        {
            byte b = (byte)(v >> (8 * (5 - i)));
            b.TryFormat(span[(i * 3)..], out _, "x2", CultureInfo.InvariantCulture);
            if (i < 5) span[i * 3 + 2] = ':';
        }
    });
}
