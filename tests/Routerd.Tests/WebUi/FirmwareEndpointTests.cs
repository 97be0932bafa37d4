using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Routerd.Core.Upgrade;
using Routerd.WebUi;
using Xunit;

namespace Routerd.Tests.WebUi;

/// <summary>POST/GET /api/firmware on a real Kestrel (unix socket) with a fake RAUC: the bundle
/// arrives on disk whole, refusals are 400 with the verdict's code and leave nothing behind.</summary>
public class FirmwareEndpointTests
{
    sealed class FakeRauc(Func<string, BundleInfo?> read) : IFirmwareTool
    {
        public long SizeSeen = -1;
        public int Installs;
        public (BundleInfo? Info, string? Error) Inspect(string bundle)
        {
            SizeSeen = new FileInfo(bundle).Length;
            return read(bundle) is { } info ? (info, null) : (null, "signature verification failed");
        }
        public (bool Ok, string Message) Install(string bundle, BundleInfo info, Action<InstallProgress> progress) { Interlocked.Increment(ref Installs); return (true, ""); }
        public string? Status() => null;
        public (bool Ok, string Message) MarkGood() => (true, "");
        public void Discard(string bundle) => File.Delete(bundle);
    }

    static async Task<(HttpStatusCode Status, JsonNode? Json)> Call(FirmwareUpdater? updater, HttpMethod method, string path, HttpContent? body = null)
    {
        string socket = Path.Combine(Path.GetTempPath(), $"routerd-fw-{Guid.NewGuid():N}.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = FirmwareEndpoints.BundleBodyBytes;
            k.ListenUnixSocket(socket);
        });
        await using var app = builder.Build();
        app.MapFirmwareApi(updater, "0.1.0");
        await app.StartAsync();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                },
            });
            var answer = await http.SendAsync(new HttpRequestMessage(method, "http://localhost" + path) { Content = body });
            string text = await answer.Content.ReadAsStringAsync();
            return (answer.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
        }
        finally
        {
            await app.StopAsync();
            File.Delete(socket);
        }
    }

    static (FirmwareUpdater Updater, FakeRauc Rauc, string Dir) Updater(Func<string, BundleInfo?> read)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"routerd-fw-{Guid.NewGuid():N}");
        var rauc = new FakeRauc(read);
        return (new FirmwareUpdater(rauc, "routerd-x86-64", "0.1.0", dir), rauc, dir);
    }

    [Fact]
    public async Task An_accepted_bundle_arrives_whole_on_disk_and_is_installed()
    {
        var (updater, rauc, dir) = Updater(_ => new BundleInfo("routerd-x86-64", "0.2.0", null));
        var bytes = new byte[5 << 20];
        Random.Shared.NextBytes(bytes);
        var (status, json) = await Call(updater, HttpMethod.Post, "/api/firmware", new StreamContent(new MemoryStream(bytes)));
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("installing", (string?)json?["state"]);
        Assert.Equal(bytes.Length, rauc.SizeSeen);
        for (int i = 0; i < 100 && updater.Job.State != "installed"; i++) await Task.Delay(20);
        Assert.Equal(1, rauc.Installs);
        Assert.False(File.Exists(updater.UploadPath));
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task A_refused_bundle_is_400_with_the_verdicts_code_and_is_removed()
    {
        var (updater, rauc, dir) = Updater(_ => new BundleInfo("routerd-rpi4", "0.2.0", null));
        var (status, json) = await Call(updater, HttpMethod.Post, "/api/firmware", new ByteArrayContent(new byte[4096]));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(BundleCheck.WrongBoard, (string?)json?["code"]);
        Assert.Equal("bundle", (string?)json?["errors"]?[0]?["field"]);
        Assert.Equal(0, rauc.Installs);
        Assert.False(File.Exists(updater.UploadPath));
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Force_must_be_a_boolean_and_nothing_is_received_otherwise()
    {
        var (updater, rauc, _) = Updater(_ => new BundleInfo("routerd-x86-64", "0.2.0", null));
        var (status, json) = await Call(updater, HttpMethod.Post, "/api/firmware?force=yes", new ByteArrayContent(new byte[16]));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("request/INVALID", (string?)json?["code"]);
        Assert.Equal("force", (string?)json?["errors"]?[0]?["field"]);
        Assert.Equal(-1, rauc.SizeSeen);
        Assert.Equal("idle", updater.Job.State);
    }

    [Fact]
    public async Task A_board_without_an_updater_says_so_and_refuses_uploads_with_404()
    {
        var (status, json) = await Call(null, HttpMethod.Get, "/api/firmware");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False((bool?)json?["available"]);
        Assert.Equal(FirmwareEndpoints.NoUpdater, (string?)json?["unavailable"]);
        Assert.Equal("0.1.0", (string?)json?["runningVersion"]);
        (status, json) = await Call(null, HttpMethod.Post, "/api/firmware", new ByteArrayContent(new byte[16]));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("firmware/UNSUPPORTED", (string?)json?["code"]);
    }

    [Fact]
    public async Task A_board_with_an_updater_says_it_is_available()
    {
        var (updater, _, _) = Updater(_ => null);
        var (status, json) = await Call(updater, HttpMethod.Get, "/api/firmware");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True((bool?)json?["available"]);
        Assert.Null(json?["unavailable"]);
    }
}
