using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>A lab of its own: the test switches IPv6 off, which the other IPv6 tests' lab must not see.</summary>
public sealed class Ipv6OffFixture : Ipv6LabFixture;

/// <summary>IPv6 switched off on a dual-stack line: the router takes nothing from the ISP's router
/// advertisements (which keep coming), holds no global IPv6 address or IPv6 default route on
/// any port, and routes no IPv6 between the LAN and the internet, even for a client that set an
/// address and a route by hand, and even when dhcpcd does not end on SIGTERM and has to be
/// killed (it then removes nothing itself). Switched on again, the prefix comes back.</summary>
public sealed class Ipv6OffTests(Ipv6OffFixture fixture) : IClassFixture<Ipv6OffFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;

    string Router(string command) => lab.RunIn(lab.RouterNs, command).Stdout;

    async Task SwitchIpv6(bool on)
    {
        var settings = await api.Settings();
        ((JsonObject)settings["ipv6"]!)["enabled"] = on;
        using var put = await api.Put("/api/settings", settings);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Switched_off_the_router_takes_no_ipv6_from_the_isp_and_routes_none()
    {
        string lanRouter = fixture.LanPrefixStart() + ":1";
        await lab.WaitFor(() => Task.FromResult(Router("ip -6 -o addr show dev wan0 scope global").Contains("inet6")), TimeSpan.FromSeconds(15),
            "dhcpcd's global IPv6 address on the WAN");
        // A dhcpcd that does not answer SIGTERM (one was seen busy 3 s after its first bind): routerd
        // kills it after the grace period, and it removes nothing of what it set up.
        string dhcpcd = File.ReadAllText(Path.Combine(lab.RunDir, "dhcpcd.pid")).Trim();
        lab.RunIn(lab.RouterNs, $"kill -STOP {dhcpcd}").EnsureOk();
        await SwitchIpv6(false);
        await lab.WaitFor(async () => (string?)(await api.GetJson("/api/status"))["ipv6"]?["code"] == "ipv6/OFF", TimeSpan.FromSeconds(15), "the status to say IPv6 is off");
        string left = "";
        try
        {
            await lab.WaitFor(() => Task.FromResult(!(left = Router("ip -6 -o addr show scope global")).Contains("inet6")), TimeSpan.FromSeconds(15),
                "the router's global IPv6 addresses to go");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nstill there:\n{left}", e);
        }
        // The ISP's radvd advertises every 3-10 s: two of its intervals later, still nothing taken.
        await Task.Delay(TimeSpan.FromSeconds(21));
        string state = Router("ip -6 addr; ip -6 route");
        Assert.DoesNotContain("scope global", state);
        Assert.DoesNotContain("default", Router("ip -6 route"));

        // A LAN client that sets the old LAN address and a route by hand reaches nothing past the router.
        var phone = lab.Phone.Namespace;
        string routerLinkLocal = Router("ip -6 -o addr show dev br-lan scope link").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .SkipWhile(w => w != "inet6").Skip(1).First().Split('/')[0];
        string ispLinkLocal = lab.RunIn(lab.IspNs, "ip -6 -o addr show dev isp0 scope link").Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .SkipWhile(w => w != "inet6").Skip(1).First().Split('/')[0];
        lab.RunIn(phone, $"ip -6 addr add {fixture.LanPrefixStart()}:99/64 dev eth0 nodad && ip -6 route replace default via {routerLinkLocal} dev eth0").EnsureOk();
        // Routes as if the router still had them: only the firewall is left to say no.
        lab.RunIn(lab.RouterNs, $"ip -6 route replace {fixture.LanPrefixStart()}:/64 dev br-lan && ip -6 route replace default via {ispLinkLocal} dev wan0").EnsureOk();
        var hello = lab.RunIn(phone, $"socat -T 3 - TCP6:[{Ipv6Isp.InternetHost}]:{Ipv6Isp.HelloPort},connect-timeout=3 </dev/null");
        Assert.False(hello.Ok && hello.Stdout.Contains(Ipv6Isp.HelloText), $"IPv6 was routed with IPv6 off: {hello}\n{state}");
        Assert.Matches(@"packets [1-9]", Router("nft list chain inet routerd forward"));
        lab.RunIn(phone, $"ip -6 addr del {fixture.LanPrefixStart()}:99/64 dev eth0; ip -6 route del default");
        lab.RunIn(lab.RouterNs, $"ip -6 route del default; ip -6 route del {fixture.LanPrefixStart()}:/64 dev br-lan");

        await SwitchIpv6(true);
        await fixture.WaitForPrefix(_ => true);
        await lab.WaitFor(() => Task.FromResult(Router("ip -6 -o addr show dev br-lan").Contains($"inet6 {lanRouter}/64")), TimeSpan.FromSeconds(30),
            "the delegated LAN /64 back on br-lan");
    }
}
