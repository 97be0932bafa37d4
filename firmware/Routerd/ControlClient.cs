using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Serialization.Metadata;

namespace Routerd;

/// <summary>HTTP to a running routerd over its control socket (a root-only unix socket).</summary>
static class ControlClient
{
    public static HttpClient Create(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                return new NetworkStream(s, ownsSocket: true);
            }
            catch
            {
                s.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://routerd/"),
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>A read for a CLI verb: the answer, or null after telling the user why not.</summary>
    public static async Task<T?> Get<T>(string[] args, string path, JsonTypeInfo<T> type, string verb) where T : class
    {
        var (board, _) = BoardConfig.Load(args);
        string socket = BoardConfig.ControlSocket(board);
        using var http = Create(socket);
        try
        {
            return await http.GetFromJsonAsync(path, type);
        }
        catch (HttpRequestException e)
        {
            CannotReach(verb, socket, e);
            return null;
        }
    }

    public static void CannotReach(string verb, string socket, HttpRequestException e) =>
        Console.Error.WriteLine($"routerd {verb}: is routerd running? cannot reach {socket}: {e.Message}");
}
