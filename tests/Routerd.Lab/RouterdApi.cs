using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Routerd.Lab;

/// <summary>routerd's HTTP API over its control socket (a unix socket in its RunDir). The socket
/// is a file, so this works from the root namespace without sending a packet anywhere.</summary>
public sealed class RouterdApi(string socketPath) : IDisposable
{
    /// <summary>routerd's JSON uses camelCase; reading ignores case so a test keeps working if that changes.</summary>
    public static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = true };

    readonly HttpClient http = new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://routerd/"),
        Timeout = TimeSpan.FromSeconds(20),
    };

    public Task<HttpResponseMessage> Get(string path) => http.GetAsync(path);

    public Task<HttpResponseMessage> Put(string path, JsonNode body) => http.PutAsync(path, Json(body));

    public Task<HttpResponseMessage> Post(string path, JsonNode? body = null) => http.PostAsync(path, body is null ? null : Json(body));

    public Task<HttpResponseMessage> Delete(string path) => http.DeleteAsync(path);

    static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>GETs <paramref name="path"/> and parses the JSON; throws on a non-2xx answer.</summary>
    public async Task<JsonNode> GetJson(string path)
    {
        using var response = await Get(path);
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"GET {path} → {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body, NodeOptions) ?? throw new HttpRequestException($"GET {path} → empty body");
    }

    public void Dispose() => http.Dispose();
}
