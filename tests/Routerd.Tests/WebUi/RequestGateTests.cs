using System.Net;
using Microsoft.AspNetCore.Http;
using Routerd.WebUi.Auth;
using Xunit;

namespace Routerd.Tests.WebUi;

public class RequestGateTests
{
    static readonly IPAddress[] Lan = [IPAddress.Parse("192.168.1.1"), IPAddress.Parse("10.9.0.1")];

    [Theory]
    [InlineData("192.168.1.1", true)]
    [InlineData("192.168.1.1:80", true)]
    [InlineData("10.9.0.1", true)] // a pending change's other address
    [InlineData("router.lan", true)]
    [InlineData("ROUTER.LAN.", true)]
    [InlineData("router", true)]
    [InlineData("localhost:8080", true)] // the lab's relay
    [InlineData("127.0.0.1:8080", true)]
    [InlineData("evil.example", false)]
    [InlineData("192.168.1.1.evil.example", false)]
    [InlineData("192.168.1.2", false)]
    [InlineData("3232235777", false)] // 192.168.1.1 as one number
    [InlineData("", false)]
    public void Only_the_routers_own_names_are_served(string host, bool served) =>
        Assert.Equal(served, RequestGate.IsOwnHost(new HostString(host), Lan));

    [Theory]
    [InlineData("192.168.5.1", "192.168.5.1", true)] // an address just given up, on a connection made to it
    [InlineData("192.168.5.1:80", "192.168.5.1", true)]
    [InlineData("192.168.5.1", "192.168.1.1", false)]
    [InlineData("evil.example", "192.168.5.1", false)]
    public void The_address_a_connection_came_in_on_is_the_routers_own(string host, string local, bool served) =>
        Assert.Equal(served, RequestGate.IsOwnHost(new HostString(host), Lan, IPAddress.Parse(local)));

    [Theory]
    [InlineData("http://192.168.1.1", "192.168.1.1", true)]
    [InlineData("http://192.168.1.1", "192.168.1.1:80", true)]
    [InlineData("http://127.0.0.1:8080", "127.0.0.1:8080", true)]
    [InlineData("http://evil.example", "192.168.1.1", false)]
    [InlineData("http://192.168.1.1:8080", "192.168.1.1", false)]
    [InlineData("null", "192.168.1.1", false)]
    [InlineData("https://192.168.1.1", "192.168.1.1", false)]
    public void A_state_change_comes_from_the_routers_own_pages(string origin, string host, bool own) =>
        Assert.Equal(own, RequestGate.IsOwnOrigin(origin, new HostString(host)));

    [Fact]
    public void Bodies_are_limited_per_route()
    {
        Assert.Equal(RequestGate.LoginBodyBytes, RequestGate.BodyLimit(new DefaultHttpContext { Request = { Path = "/api/session" } }.Request));
        Assert.Equal(RequestGate.SettingsBodyBytes, RequestGate.BodyLimit(new DefaultHttpContext { Request = { Path = "/api/settings/import" } }.Request));
        Assert.Equal(RequestGate.SmallBodyBytes, RequestGate.BodyLimit(new DefaultHttpContext { Request = { Path = "/api/devices" } }.Request));
        // A firmware bundle is the one large body, on its one route.
        Assert.Equal(Routerd.WebUi.FirmwareEndpoints.BundleBodyBytes, RequestGate.BodyLimit(new DefaultHttpContext { Request = { Path = "/api/firmware" } }.Request));
        Assert.Equal(RequestGate.SmallBodyBytes, RequestGate.BodyLimit(new DefaultHttpContext { Request = { Path = "/api/firmware/x" } }.Request));
    }
}

/// <summary>An exported settings document must always be importable: one at every list's limit,
/// each name and description at its length limit in characters JSON escapes (\uXXXX, six bytes
/// each), must fit the settings routes' body limit.</summary>
public class SettingsDocumentSizeTests
{
    [Fact]
    public void A_document_at_every_limit_fits_the_settings_body_limit()
    {
        var board = new Routerd.Core.Settings.Board { WanDevice = "wan0", LanPorts = ["lan1"] };
        string Wide(int n) => new('\u4e2d', n);
        string Mac(int i) => $"02:00:00:00:{i / 256:x2}:{i % 256:x2}";
        var s = Routerd.Core.Settings.FirstBoot.Settings(board, _ => "hash") with
        {
            Devices = Enumerable.Range(0, Routerd.Core.Settings.DesiredStateBuilder.MaxDevices)
                .Select(i => new Routerd.Core.Settings.DeviceSettings { Mac = Mac(i), Name = Wide(64), Priority = true, PriorityUntil = DateTimeOffset.MaxValue }).ToList(),
            Forwards = Enumerable.Range(0, Routerd.Core.Firewall.ForwardRules.MaxForwards)
                .Select(i => new Routerd.Core.Settings.PortForward { Id = 100000 + i, Protocol = "both", WanPort = 10000 + i, WanPortEnd = 10000 + i, Mac = Mac(i), LanPort = 50000 + i, Description = Wide(Routerd.Core.Firewall.ForwardRules.MaxDescription) }).ToList(),
        };
        s = s with
        {
            Lan = s.Lan with
            {
                StaticLeases = Enumerable.Range(0, Routerd.Core.Settings.DesiredStateBuilder.MaxStaticLeases)
                    .Select(i => new Routerd.Core.Settings.StaticLease { Mac = Mac(i), Address = "192.168.1.200", Hostname = new string('h', 63) }).ToList(),
            },
        };
        string json = System.Text.Json.JsonSerializer.Serialize(s, Routerd.Core.Settings.RouterJsonContext.Default.RouterSettings);
        Assert.Contains("\\u4E2D", json); // the worst case was really written
        long bytes = System.Text.Encoding.UTF8.GetByteCount(json);
        Assert.True(bytes < RequestGate.SettingsBodyBytes, $"{bytes} bytes at the limits, the body limit is {RequestGate.SettingsBodyBytes}");
    }
}
