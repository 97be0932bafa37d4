using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Routerd.Bench;

/// <summary>The LAN server behind the forward, in a LAN client's namespace: a request of
/// <see cref="RequestBytes"/> bytes whose first says what it wants. <see cref="Connection"/>: an
/// answer of <see cref="AnswerBytes"/> bytes, then the server closes (its side keeps the
/// TIME_WAIT, so the client's ports are free again at once, as with an HTTP/1.0 server).
/// <see cref="Bulk"/>: data until the client goes away. Plain blocking threads, a few of them:
/// no process per connection, so a connection costs the kernel's work and little else.</summary>
sealed class ConnServer : IDisposable
{
    public const byte Connection = (byte)'c', Bulk = (byte)'b';
    public const int RequestBytes = 32, AnswerBytes = 64;

    readonly Socket listener;
    volatile bool stopping;

    ConnServer(Socket listener) => this.listener = listener;

    public static ConnServer Start(string netns, int port, int threads)
    {
        var listener = NetnsThread.Run(netns, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(new IPEndPoint(IPAddress.Any, port));
            s.Listen(4096);
            return s;
        }, "forward server").GetAwaiter().GetResult();
        var server = new ConnServer(listener);
        // The accepted sockets belong to the listener's namespace: these threads need not join it.
        for (int i = 0; i < threads; i++)
            new Thread(server.AcceptLoop) { IsBackground = true, Name = $"forward server {i}" }.Start();
        return server;
    }

    void AcceptLoop()
    {
        var request = new byte[RequestBytes];
        var answer = new byte[AnswerBytes];
        var bulk = new byte[64 * 1024];
        while (!stopping)
        {
            Socket c;
            try { c = listener.Accept(); }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            using (c)
            {
                try { Serve(c, request, answer, bulk); }
                catch (SocketException) { } // the client went away: it counts its own failures
            }
        }
    }

    static void Serve(Socket c, byte[] request, byte[] answer, byte[] bulk)
    {
        c.ReceiveTimeout = c.SendTimeout = 5000;
        c.NoDelay = true;
        int got = 0;
        while (got < RequestBytes)
        {
            int n = c.Receive(request, got, RequestBytes - got, SocketFlags.None);
            if (n == 0) return; // a probe that only wanted the handshake
            got += n;
        }
        if (request[0] == Bulk)
            while (true) c.Send(bulk); // until the client closes: then Send throws
        c.Send(answer);
    }

    public void Dispose()
    {
        stopping = true;
        listener.Dispose();
    }
}

/// <summary>The internet side of the forward benchmark, in the ISP's namespace: new connections
/// as fast as a few clients make them, one bulk download, and the probe that finds the moment a
/// new forward lets the first connection through.</summary>
static class ConnClient
{
    /// <summary>Connections completed per second, and how many failed, in the window.</summary>
    public readonly record struct RateSample(double PerSecond, long Failures);

    sealed class Counts
    {
        public long Done, Failed;
    }

    /// <summary><paramref name="workers"/> clients each open a connection, send the request, read
    /// the whole answer and the server's close, close, and start again; counted over
    /// <paramref name="window"/> after <paramref name="warmUp"/>.</summary>
    public static RateSample Rate(string netns, IPEndPoint to, int workers, TimeSpan warmUp, TimeSpan window)
    {
        var counts = new Counts();
        using var stop = new CancellationTokenSource();
        var token = stop.Token;
        var running = Enumerable.Range(0, workers).Select(i => NetnsThread.Run(netns, () =>
        {
            var request = new byte[ConnServer.RequestBytes];
            request[0] = ConnServer.Connection;
            var answer = new byte[ConnServer.AnswerBytes + 1];
            while (!token.IsCancellationRequested)
            {
                if (Once(to, request, answer)) Interlocked.Increment(ref counts.Done);
                else Interlocked.Increment(ref counts.Failed);
            }
            return 0;
        }, $"forward client {i}")).ToArray();
        Thread.Sleep(warmUp);
        long done = Interlocked.Read(ref counts.Done), failed = Interlocked.Read(ref counts.Failed);
        var clock = Stopwatch.StartNew();
        Thread.Sleep(window);
        double seconds = clock.Elapsed.TotalSeconds;
        var sample = new RateSample((Interlocked.Read(ref counts.Done) - done) / seconds, Interlocked.Read(ref counts.Failed) - failed);
        stop.Cancel();
        Task.WhenAll(running).GetAwaiter().GetResult();
        return sample;
    }

    /// <summary>How long a connect may wait: a set-up that lost its forward must fail its
    /// sample, not hang for the kernel's two minutes of SYN retries.</summary>
    static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    static void Connect(Socket s, IPEndPoint to)
    {
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        try { s.ConnectAsync(to, timeout.Token).AsTask().GetAwaiter().GetResult(); }
        catch (OperationCanceledException) { throw new SocketException((int)SocketError.TimedOut); }
    }

    /// <summary>One full exchange: connect, request, the whole answer, the server's close, close.</summary>
    static bool Once(IPEndPoint to, byte[] request, byte[] answer)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.NoDelay = true;
        s.SendTimeout = s.ReceiveTimeout = 3000;
        try
        {
            Connect(s, to);
            s.Send(request);
            int got = 0, n;
            while ((n = s.Receive(answer, got, answer.Length - got, SocketFlags.None)) > 0) got += n;
            return got == ConnServer.AnswerBytes;
        }
        catch (SocketException) { return false; }
    }

    /// <summary>True when one exchange through <paramref name="to"/> works (up to three tries).</summary>
    public static bool Works(string netns, IPEndPoint to) => NetnsThread.Run(netns, () =>
    {
        var request = new byte[ConnServer.RequestBytes];
        request[0] = ConnServer.Connection;
        var answer = new byte[ConnServer.AnswerBytes + 1];
        return Enumerable.Range(0, 3).Any(_ => Once(to, request, answer));
    }, "forward check").GetAwaiter().GetResult();

    /// <summary>One flow's goodput in bit/s: the payload the client received in
    /// <paramref name="window"/>, after <paramref name="warmUp"/> (slow start) left out.</summary>
    public static double Goodput(string netns, IPEndPoint to, TimeSpan warmUp, TimeSpan window) => NetnsThread.Run(netns, () =>
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.SendTimeout = s.ReceiveTimeout = 3000;
            Connect(s, to);
            var request = new byte[ConnServer.RequestBytes];
            request[0] = ConnServer.Bulk;
            s.Send(request);
            var buffer = new byte[256 * 1024];
            var clock = Stopwatch.StartNew();
            long bytes = 0;
            TimeSpan? start = null;
            while (true)
            {
                int n = s.Receive(buffer);
                if (n == 0) throw new IOException($"the server at {to} ended the download");
                var now = clock.Elapsed;
                if (start is null)
                {
                    if (now >= warmUp) start = now;
                    continue;
                }
                bytes += n;
                if (now - start.Value >= window) return bytes * 8 / (now - start.Value).TotalSeconds;
            }
        }
        catch (SocketException e) { throw new IOException($"download from {to}: {e.Message}", e); }
    }, "forward goodput").GetAwaiter().GetResult();

    /// <summary>The probe for "API call → first packet forwarded": from <paramref name="go"/> on,
    /// a new connection attempt to <paramref name="to"/> every millisecond (a new SYN each time:
    /// a dropped SYN is only retried after a second), until one is answered; returns
    /// <paramref name="clock"/>'s reading then. <paramref name="ready"/> is set once the thread
    /// waits, so the clock does not include its start.</summary>
    public static Task<TimeSpan> FirstAnswer(string netns, IPEndPoint to, Stopwatch clock, ManualResetEventSlim ready, ManualResetEventSlim go, TimeSpan timeout) =>
        NetnsThread.Run(netns, () =>
        {
            var pending = new List<Socket>();
            try
            {
                ready.Set();
                go.Wait();
                var deadline = clock.Elapsed + timeout;
                while (clock.Elapsed < deadline)
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                    try
                    {
                        s.Connect(to);
                        pending.Add(s); // connected at once
                    }
                    catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress) { pending.Add(s); }
                    catch (SocketException)
                    {
                        s.Dispose(); // failed at once: its error is spent, poll would not tell it from success
                        Thread.Sleep(1);
                        continue;
                    }
                    if (pending.Count > 100)
                    {
                        pending[0].Dispose(); // its SYN went long ago; a closed attempt sends nothing
                        pending.RemoveAt(0);
                    }
                    var writable = new List<Socket>(pending);
                    Socket.Select(null, writable, null, 1000);
                    var seen = clock.Elapsed;
                    foreach (var w in writable)
                    {
                        if ((int)w.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)! == 0) return seen;
                        pending.Remove(w); // refused: that attempt is over
                        w.Dispose();
                    }
                }
                throw new TimeoutException($"no connection to {to} was answered within {timeout.TotalSeconds:0.#} s");
            }
            finally
            {
                foreach (var s in pending) s.Dispose();
            }
        }, "forward probe");
}
