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
