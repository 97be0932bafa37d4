using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Routerd.WebUi;
using Xunit;

namespace Routerd.Tests.WebUi;

/// <summary>Kestrel follows the listener's addresses while it runs (loopback addresses stand in
/// for the LAN's: 127.0.0.0/8 is all local, so no packet leaves the machine).</summary>
public class LanListenerTests
{
    static bool Accepts(IPAddress address, int port)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            s.Connect(address, port);
            return true;
        }
        catch (SocketException) { return false; }
    }

    [Fact]
    public async Task Kestrel_binds_and_unbinds_as_the_addresses_change()
    {
        int port = 20000 + Random.Shared.Next(20000);
        IPAddress a = IPAddress.Parse("127.0.0.1"), b = IPAddress.Parse("127.0.0.2");
        var listener = new LanListener(port);
        listener.Follow([a]);
        var builder = WebApplication.CreateSlimBuilder();
        var config = new ConfigurationBuilder().Add(listener).Build();
        // As in routerd: the control socket is bound in code, the LAN addresses from the listener.
        string socket = Path.Combine(Path.GetTempPath(), $"routerd-test-{Guid.NewGuid():N}.sock");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenUnixSocket(socket);
            k.Configure(config, reloadOnChange: true);
        });
        await using var app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync();

        Assert.True(Accepts(a, port));
        Assert.False(Accepts(b, port));

        Assert.True(listener.Follow([b, a]));
        Assert.False(listener.Follow([b, a]));
        await WaitFor(() => Accepts(b, port));
        Assert.True(Accepts(a, port));

        listener.Follow([b]);
        await WaitFor(() => !Accepts(a, port));
        Assert.True(Accepts(b, port));
        await app.StopAsync();
        File.Delete(socket);
    }

    static async Task WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 50 && !condition(); i++) await Task.Delay(100);
        Assert.True(condition());
    }
}
