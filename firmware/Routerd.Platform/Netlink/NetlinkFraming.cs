using static Routerd.Platform.Netlink.NetlinkInterop;

namespace Routerd.Platform.Netlink;

/// <summary>The framing messages and attributes share: a header whose length field counts the
/// header itself, the next record at that length rounded up to 4.</summary>
internal static class NetlinkFraming
{
    /// <summary>Cuts the record at the start of <paramref name="rest"/> and moves past it.</summary>
    /// <returns>False, leaving <paramref name="rest"/> alone, when the length is shorter than the
    /// header or longer than what is left.</returns>
    public static bool TryCut(scoped ref ReadOnlySpan<byte> rest, int headerLength, uint length, out ReadOnlySpan<byte> body)
    {
        body = default;
        if (length < headerLength || length > (uint)rest.Length) return false;
        body = rest[headerLength..(int)length];
        // The padding after the last record of a buffer may be missing; that is not an error.
        // NLMSG_ALIGN and RTA_ALIGN are both 4; done in uint so a length near int.MaxValue cannot wrap.
        uint next = (length + NLMSG_ALIGNTO - 1) & ~(uint)(NLMSG_ALIGNTO - 1);
        rest = rest[(int)Math.Min(next, (uint)rest.Length)..];
        return true;
    }
}
