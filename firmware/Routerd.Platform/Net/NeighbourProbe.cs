using System.Net;
using System.Net.Sockets;

namespace Routerd.Platform.Net;

/// <summary>Makes the kernel check that a LAN device is still there. An empty datagram from the
/// router to the device's address (the discard port) uses its neighbour entry: a STALE entry goes
/// through DELAY and PROBE, a unicast ARP the device answers, and becomes REACHABLE, which the
/// netlink observer reports as a sign of life. No answer: the entry fails and is removed.</summary>
public sealed class NeighbourProbe : IDisposable
{
    const int DiscardPort = 9;
    readonly Socket socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public void Ask(IPAddress address)
    {
        // Nothing is waited for and nothing depends on the send: an unreachable device is what a
        // probe is for, and the kernel reports the outcome through the neighbour table.
        try { socket.SendTo([], new IPEndPoint(address, DiscardPort)); }
        catch (SocketException) { }
    }

    public void Dispose() => socket.Dispose();
}
