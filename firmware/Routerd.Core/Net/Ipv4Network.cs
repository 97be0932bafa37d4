using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Routerd.Core.Net;

/// <summary>An IPv4 interface address with its prefix ("192.168.1.1/24"): the address the
/// router holds and the subnet it implies.</summary>
public readonly record struct Ipv4Network(uint Address, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0u : uint.MaxValue << (32 - PrefixLength);
    public uint NetworkAddress => Address & Mask;
    public uint BroadcastAddress => NetworkAddress | ~Mask;

    public bool Contains(uint address) => (address & Mask) == NetworkAddress;
    public bool Contains(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork && Contains(ToUInt(address));

    public bool Overlaps(Ipv4Network other)
    {
        int common = Math.Min(PrefixLength, other.PrefixLength);
        uint mask = common == 0 ? 0u : uint.MaxValue << (32 - common);
        return (Address & mask) == (other.Address & mask);
    }

    /// <summary>The address is neither the network nor the broadcast address of its subnet.</summary>
    public bool IsHostAddress(uint address) =>
        PrefixLength >= 31 || (address != NetworkAddress && address != BroadcastAddress);

    public IPAddress Ip => FromUInt(Address);
    public IPAddress Network => FromUInt(NetworkAddress);
    public IPAddress Netmask => FromUInt(Mask);

    public static bool TryParse([NotNullWhen(true)] string? text, out Ipv4Network network)
    {
        network = default;
        if (text is null) return false;
        int slash = text.IndexOf('/');
        if (slash < 0) return false;
        if (!TryParseAddress(text[..slash], out uint address)) return false;
        if (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > 32) return false;
        network = new Ipv4Network(address, prefix);
        return true;
    }

    public static Ipv4Network Parse(string text) =>
        TryParse(text, out var n) ? n : throw new FormatException($"'{text}' is not an IPv4 address with prefix (expected a.b.c.d/nn)");

    /// <summary>Strict dotted-quad parsing: IPAddress.TryParse also accepts "1" or "0x7f.1", which
    /// must never reach a config file as something other than what the user typed.</summary>
    public static bool TryParseAddress(string? text, out uint address)
    {
        address = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 15) return false;
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0')) return false;
            if (!byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out byte b)) return false;
            address = (address << 8) | b;
        }
        return true;
    }

    public static uint ToUInt(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (address.AddressFamily != AddressFamily.InterNetwork || !address.TryWriteBytes(bytes, out _))
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public static IPAddress FromUInt(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes);
    }

    public static string Format(uint address) => FromUInt(address).ToString();

    public override string ToString() => $"{Format(Address)}/{PrefixLength}";
}
