namespace Routerd.Core.Wan;

/// <summary>Reads the kernel's table of PPPoE sessions (/proc/net/pppoe: "Id Address Device",
/// the session id in hex, the access concentrator's MAC, the Ethernet port). pppd does not
/// tell its scripts the session id; this table does. The kernel prints the id as it stores it,
/// in network byte order, through %08X: on a little-endian machine session 1 reads 00000100.</summary>
public static class PppoeSessions
{
    /// <returns>the session id as four hex digits (e.g. "0x0001") for the session with this peer
    /// on this port, or null when there is none (or the text is not that table).</returns>
    public static string? Find(string procNetPppoe, string? device, string? peerMac)
    {
        if (device is null || peerMac is null) return null;
        foreach (var line in procNetPppoe.Split('\n').Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 3 || f[2] != device || !string.Equals(f[1], peerMac, StringComparison.OrdinalIgnoreCase)) continue;
            if (f[0].Length is > 0 and <= 8 && uint.TryParse(f[0], System.Globalization.NumberStyles.AllowHexSpecifier, null, out uint id) && id <= 0xffff)
            {
                ushort sid = BitConverter.IsLittleEndian ? System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)id) : (ushort)id;
                return $"0x{sid:x4}";
            }
        }
        return null;
    }
}
