using System.Net.Sockets;

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
}
