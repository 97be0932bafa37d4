using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Platform.IpRoute;
using Xunit;

namespace Routerd.Tests.Net;

/// <summary>The carrier reset against a stand-in `ip` that records its arguments: down at once,
/// up after the wait, one argument list per port, and a port that fails does not stop the others.
/// The real kernel's side (a veth's peer loses its carrier, dhcpcd asks again) is LanMoveReconnectTests'.</summary>
public sealed class PortCarrierTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("routerd-carrier-test-").FullName;
    string Calls => Path.Combine(dir, "calls");

    string[] Recorded() => File.Exists(Calls) ? File.ReadAllLines(Calls) : [];

    [Fact]
    public void Ports_go_down_now_and_up_after_the_wait()
    {
        string ip = Path.Combine(dir, "ip");
        // lan9 does not exist: the stand-in fails for it, as ip does.
        File.WriteAllText(ip, $"#!/bin/sh\necho \"$*\" >> '{Calls}'\n[ \"$4\" != lan9 ]\n");
        File.SetUnixFileMode(ip, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        new PortCarrier(ip, NullLogger.Instance).Bounce(["lan1", "lan9", "lan2"], TimeSpan.FromMilliseconds(700));

        Assert.Equal(["link set dev lan1 down", "link set dev lan9 down", "link set dev lan2 down"], Recorded());
        var until = DateTime.UtcNow.AddSeconds(10);
        while (Recorded().Length < 6 && DateTime.UtcNow < until) Thread.Sleep(50);
        Assert.Equal(["link set dev lan1 up", "link set dev lan9 up", "link set dev lan2 up"], Recorded()[3..]);
    }

    public void Dispose() => Directory.Delete(dir, true);
}
