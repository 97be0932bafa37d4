using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Routerd;

/// <summary>HTTP to a running routerd over its control socket (a root-only unix socket).
///
/// One HTTP/1.0 request per connection: the answer ends where the connection does, so there is
/// no chunking or keep-alive to handle and the CLI verbs and the daemons' hooks need no HTTP
/// client library. That matters for the hooks: udhcpc and pppd run one on every event, the first
/// while routerd itself is starting, and System.Net.Http added a tenth to each one's CPU time.</summary>
static class ControlClient
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public sealed record Response(int Status, string Body)
    {
        public bool Ok => Status is >= 200 and < 300;
    }

    /// <exception cref="ControlSocketException">routerd could not be reached or did not answer in time.</exception>
    public static Task<Response> Send(string socket, string method, string path, string? json = null) =>
        Send(socket, method, path, json is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(json)), "application/json", Timeout);

    /// <summary>A JSON request whose answer takes longer than the usual bound (a trace runs for its seconds).</summary>
    public static Task<Response> Send(string socket, string method, string path, string json, TimeSpan timeout) =>
        Send(socket, method, path, new MemoryStream(Encoding.UTF8.GetBytes(json)), "application/json", timeout);

    /// <summary>A file as the body, streamed from disk (a firmware bundle), with its own time limit.</summary>
    public static async Task<Response> SendFile(string socket, string method, string path, string file, TimeSpan timeout)
    {
        await using var body = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return await Send(socket, method, path, body, "application/octet-stream", timeout);
    }

    static async Task<Response> Send(string socket, string method, string path, Stream? body, string contentType, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // Synchronous: a unix socket connects or fails at once (a full backlog waits up to the
            // send timeout). The asynchronous connect's failure builds its stack trace text at
            // once, which in a NativeAOT binary sorts the method-name map first: ~24 ms of CPU per
            // refused attempt, and a hook retries while routerd is (re)starting.
            s.SendTimeout = (int)timeout.TotalMilliseconds;
            s.Connect(new UnixDomainSocketEndPoint(socket));
            string head = $"{method} /{path.TrimStart('/')} HTTP/1.0\r\nHost: routerd\r\n" +
                (body is null ? "" : $"Content-Type: {contentType}\r\nContent-Length: {body.Length}\r\n") + "\r\n";
            await s.SendAsync(Encoding.ASCII.GetBytes(head), cancel.Token);
            if (body is not null)
                await using (var net = new NetworkStream(s, ownsSocket: false))
                    await body.CopyToAsync(net, 1 << 16, cancel.Token);

            using var answer = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await s.ReceiveAsync(buffer, cancel.Token)) > 0) answer.Write(buffer, 0, n);
            return Parse(answer.ToArray()) ?? throw new ControlSocketException(socket, "the answer was not HTTP");
        }
        catch (SocketException e)
        {
            throw new ControlSocketException(socket, e.Message);
        }
        catch (OperationCanceledException)
        {
            throw new ControlSocketException(socket, $"no answer within {timeout.TotalSeconds:0} s");
        }
        catch (IOException e)
        {
            throw new ControlSocketException(socket, e.Message);
        }
    }

    /// <summary>"HTTP/1.1 200 OK\r\n...headers...\r\n\r\nbody": the status and the body.</summary>
    static Response? Parse(byte[] answer)
    {
        int end = answer.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0) return null;
        string head = Encoding.ASCII.GetString(answer, 0, end);
        var status = head.Split("\r\n")[0].Split(' ');
        if (status.Length < 2 || !status[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(status[1], out int code)) return null;
        return new Response(code, Encoding.UTF8.GetString(answer, end + 4, answer.Length - end - 4));
    }

    public static Task<Response> Send<T>(string socket, string method, string path, T body, JsonTypeInfo<T> type) =>
        Send(socket, method, path, JsonSerializer.Serialize(body, type));

    /// <summary>A read for a CLI verb: the answer, or null after telling the user why not.</summary>
    public static async Task<T?> Get<T>(string[] args, string path, JsonTypeInfo<T> type, string verb) where T : class
    {
        var (board, _) = BoardConfig.Load(args);
        string socket = BoardConfig.ControlSocket(board);
        try
        {
            var r = await Send(socket, "GET", path);
            if (r.Ok) return JsonSerializer.Deserialize(r.Body, type);
            Console.Error.WriteLine($"routerd {verb}: routerd answered {r.Status}: {r.Body}");
            return null;
        }
        catch (ControlSocketException e)
        {
            CannotReach(verb, e);
            return null;
        }
    }

    /// <summary>Tells the user why routerd refused a verb's request: its sentence and every named field.</summary>
    public static void PrintRefusal(string verb, Response response)
    {
        Routerd.Core.Settings.ApiError? refusal = null;
        try { refusal = JsonSerializer.Deserialize(response.Body, Routerd.Core.Settings.RouterJsonContext.Default.ApiError); }
        catch (JsonException) { } // not routerd's error shape (an empty 404): the status says it
        Console.Error.WriteLine($"routerd {verb}: {refusal?.Error ?? ((System.Net.HttpStatusCode)response.Status).ToString()}");
        foreach (var e in refusal?.Errors ?? [])
            Console.Error.WriteLine($"  {e.Field}: {e.Message}");
    }

    public static void CannotReach(string verb, ControlSocketException e) =>
        Console.Error.WriteLine($"routerd {verb}: is routerd running? {e.Message}");
}

public sealed class ControlSocketException(string socket, string reason) : Exception($"cannot reach {socket}: {reason}");
