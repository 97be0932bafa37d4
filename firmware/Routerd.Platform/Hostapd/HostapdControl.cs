using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Routerd.Platform.Hostapd;

/// <summary>One connection to hostapd's control interface: a unix datagram socket in hostapd's
/// ctrl_interface directory named after the radio interface. hostapd answers to the sender's
/// address, so the client binds a socket file of its own (removed on dispose). Requests and
/// replies are one datagram each; after ATTACH, unsolicited events ("&lt;3&gt;AP-STA-CONNECTED
/// 02:..") arrive on the same socket, so a connection is used either for requests or as a monitor.</summary>
public sealed class HostapdControl : IDisposable
{
    static int counter;
    readonly Socket socket;
    readonly string localPath;
    readonly byte[] buffer = new byte[16384];
    volatile bool interrupted;

    HostapdControl(Socket socket, string localPath)
    {
        this.socket = socket;
        this.localPath = localPath;
    }

    /// <summary>Connects to hostapd's socket for <paramref name="iface"/>; the client's own
    /// socket file goes into <paramref name="clientDirectory"/>.</summary>
    /// <exception cref="SocketException">hostapd is not listening (not started, or gone).</exception>
    public static HostapdControl Connect(string controlDirectory, string iface, string clientDirectory)
    {
        string local = Path.Combine(clientDirectory, $"hostapd-client-{Environment.ProcessId}-{Interlocked.Increment(ref counter)}");
        var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            File.Delete(local);
            s.Bind(new UnixDomainSocketEndPoint(local));
            s.Connect(new UnixDomainSocketEndPoint(Path.Combine(controlDirectory, iface)));
            return new HostapdControl(s, local);
        }
        catch
        {
            s.Dispose();
            File.Delete(local);
            throw;
        }
    }

    /// <summary>Sends a command and returns hostapd's reply; events that arrive meanwhile (on
    /// an attached connection) are handed to <paramref name="onEvent"/>.</summary>
    /// <exception cref="TimeoutException">no reply in time.</exception>
    /// <exception cref="SocketException">hostapd went away.</exception>
    /// <exception cref="OperationCanceledException"><see cref="Interrupt"/> was called.</exception>
    public string Request(string command, TimeSpan timeout, Action<string>? onEvent = null)
    {
        try { socket.Send(Encoding.ASCII.GetBytes(command)); }
        catch (SocketException) when (interrupted) { throw new OperationCanceledException("interrupted"); }
        long sent = Stopwatch.GetTimestamp(); // monotonic: NTP stepping the date must not end or stretch the wait
        while (true)
        {
            var left = timeout - Stopwatch.GetElapsedTime(sent);
            if (left <= TimeSpan.Zero || Receive(left) is not { } reply)
                throw new TimeoutException($"hostapd did not answer {command.Split(' ')[0]}");
            if (IsEvent(reply)) onEvent?.Invoke(reply);
            else return reply;
        }
    }

    /// <summary>The next datagram ("" is one: hostapd ends a station list with it), or null after
    /// the timeout (<see cref="Timeout.InfiniteTimeSpan"/>: none).</summary>
    /// <exception cref="OperationCanceledException"><see cref="Interrupt"/> was called.</exception>
    public string? Receive(TimeSpan timeout)
    {
        socket.ReceiveTimeout = timeout == Timeout.InfiniteTimeSpan ? 0 : Math.Max(1, (int)timeout.TotalMilliseconds);
        try
        {
            int n = socket.Receive(buffer);
            if (interrupted) throw new OperationCanceledException("interrupted");
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            return null;
        }
    }

    /// <summary>Ends a <see cref="Receive"/> waiting on another thread, and every
    /// later one (they throw): shutting a socket down wakes its blocked reader, which a datagram cannot do
    /// (a connected unix datagram socket takes datagrams from its peer only). The connection is
    /// spent afterwards.</summary>
    public void Interrupt()
    {
        interrupted = true;
        try { socket.Shutdown(SocketShutdown.Both); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    /// <summary>Events start with their priority level in angle brackets: "&lt;3&gt;".</summary>
    public static bool IsEvent(string message) => message.Length > 2 && message[0] == '<' && message.IndexOf('>') > 0;

    public void Dispose()
    {
        socket.Dispose();
        try { File.Delete(localPath); } catch (IOException) { }
    }
}
