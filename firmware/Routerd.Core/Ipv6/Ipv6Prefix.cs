using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Routerd.Core.Ipv6;

/// <summary>An IPv6 prefix (or an address with its prefix length) as a 128-bit number, for the
/// arithmetic a delegated prefix needs: the LAN's /64 inside the ISP's /56, the router's ::1 in
/// it. Parsing is strict because every prefix here came from the network or from settings.</summary>
public readonly record struct Ipv6Prefix(UInt128 Value, int Length)
{
    public static bool TryParseAddress(string? text, out UInt128 value)
    {
        value = 0;
        // IPAddress.TryParse accepts "1.2.3.4", scope ids and more: only a plain IPv6 literal is taken.
        if (string.IsNullOrEmpty(text) || text.Length > 45 || !text.Contains(':') || text.Contains('%')
            || !IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            return false;
        value = ToUInt128(ip);
        return true;
    }

    /// <summary>"2001:db8::/56": an address, a slash and a length 0-128.</summary>
    public static bool TryParse(string? text, out Ipv6Prefix prefix)
    {
        prefix = default;
        int slash = text?.IndexOf('/') ?? -1;
        if (slash < 0) return false;
        string len = text![(slash + 1)..];
        if (len.Length is 0 or > 3 || !len.All(char.IsAsciiDigit) || !int.TryParse(len, out int length) || length > 128) return false;
        if (!TryParseAddress(text[..slash], out var value)) return false;
        prefix = new Ipv6Prefix(value, length);
        return true;
    }

    public static UInt128 ToUInt128(IPAddress ip)
    {
        Span<byte> b = stackalloc byte[16];
        ip.TryWriteBytes(b, out _);
        return ((UInt128)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b) << 64) | System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b[8..]);
    }

    public static IPAddress ToAddress(UInt128 value)
    {
        Span<byte> b = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(b, (ulong)(value >> 64));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(b[8..], (ulong)value);
        return new IPAddress(b);
    }

    public static string Format(UInt128 value) => ToAddress(value).ToString();

    static UInt128 Mask(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

    /// <summary>The prefix itself, host bits cleared.</summary>
    public UInt128 Network => Value & Mask(Length);

    public bool Contains(UInt128 address) => (address & Mask(Length)) == Network;

    /// <summary>The <paramref name="index"/>-th subnet of length <paramref name="length"/> inside this prefix (null: it does not fit).</summary>
    public Ipv6Prefix? Subnet(int length, UInt128 index)
    {
        if (length < Length || length > 128) return null;
        int bits = length - Length;
        if (bits < 128 && index >> bits != 0) return null;
        return new Ipv6Prefix(Network | (length == 128 ? index : index << (128 - length)), length);
    }

    /// <summary>The address <paramref name="host"/> inside the prefix, written with the prefix's length (the form `ip addr` takes).</summary>
    public Ipv6Prefix Host(UInt128 host) => new(Network | (host & ~Mask(Length)), Length);

    /// <summary>fc00::/7 with the L bit: a unique local address (RFC 4193).</summary>
    public bool IsUniqueLocal => (Value >> 120) == 0xfd;

    /// <summary>A new ULA /48: fd00::/8 and 40 random bits (RFC 4193 section 3.2), made once and stored.</summary>
    public static Ipv6Prefix NewUniqueLocal()
    {
        Span<byte> r = stackalloc byte[5];
        RandomNumberGenerator.Fill(r);
        UInt128 global = 0;
        foreach (var b in r) global = (global << 8) | b;
        return new Ipv6Prefix(((UInt128)0xfd << 120) | (global << 80), 48);
    }

    public override string ToString() => $"{Format(Value)}/{Length}";
}
