using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>A business line's fixed IPv6: the ISP runs no DHCPv6 server and sends no router
/// advertisements; it routes a /48 to the router's static WAN address, as the contract says. The
/// owner types the values in through the API (the lab's WAN stays DHCP for IPv4). At the end
/// the ISP turns to router advertisements only, for the automatic WAN's SLAAC address.</summary>
public sealed class Ipv6FixedWanFixture : LabFixture
{
    public const string WanAddress = "2001:db8:1::2", RoutedPrefix = "2001:db8:200::/48", RouterLanAddress = "2001:db8:200::1/64";
    /// <summary>The routed prefix's first /64: the LAN's.</summary>
    public static readonly byte[] LanPrefix = System.Net.IPAddress.Parse("2001:db8:200::").GetAddressBytes()[..8];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Ipv6Isp.StartInternetHost(Lab);
        Ipv6Isp.RouteToAddress(Lab, RoutedPrefix, WanAddress);
    }
}

public sealed class Ipv6FixedWanTests(Ipv6FixedWanFixture fixture) : IClassFixture<Ipv6FixedWanFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;
    static readonly TimeSpan Slaac = TimeSpan.FromSeconds(60), Applied = TimeSpan.FromSeconds(15);

    string Router(string command) => lab.RunIn(lab.RouterNs, command).Stdout;

    /// <summary>The command lines of the processes in the router's namespace (dhcpcd's among them, while it runs).</summary>
    string RouterProcesses() =>
        CommandResult.Run(["sh", "-c", $"ip netns pids {lab.RouterNs} | xargs -r ps -o args= -p"], TimeSpan.FromSeconds(10)).Stdout;

    string State() => $"router:\n{Router("ip -6 addr; ip -6 route")}\nisp:\n{lab.RunIn(lab.IspNs, "ip -6 addr; ip -6 route").Stdout}\n{lab.Describe()}";

    /// <summary>The phone's SLAAC address in the routed prefix's first /64, or null.</summary>
    string? PhoneAddress() => lab.RunIn(lab.Phone.Namespace, "ip -6 -o addr show dev eth0 scope global -tentative").Stdout.Split('\n')
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).FirstOrDefault())
        .OfType<string>().Select(a => a.Split('/')[0])
        .FirstOrDefault(a => System.Net.IPAddress.Parse(a).GetAddressBytes().AsSpan(0, 8).SequenceEqual(Ipv6FixedWanFixture.LanPrefix));

    async Task<HttpResponseMessage> PutIpv6(Action<JsonObject> change)
    {
        var settings = await api.Settings();
        change((JsonObject)settings["ipv6"]!);
        return await api.Put("/api/settings", settings);
    }

    static JsonObject Fixed(string gateway) => new()
    {
        ["address"] = $"{Ipv6FixedWanFixture.WanAddress}/64", ["gateway"] = gateway,
        ["routedPrefix"] = Ipv6FixedWanFixture.RoutedPrefix, ["dns"] = new JsonArray(Ipv6Isp.IspAddress),
    };

    [Fact]
    public async Task A_fixed_ipv6_wan_carries_a_lan_client_to_the_isp_and_automatic_takes_it_away_again()
    {
        // Bad input first: refused naming the field, nothing stored, nothing on the WAN.
        using (var bad = await PutIpv6(v6 => { v6["mode"] = "static"; v6["static"] = Fixed("2001:db8:9::1"); }))
        {
            Assert.Equal(400, (int)bad.StatusCode);
            Assert.Contains("ipv6.static.gateway", await bad.Content.ReadAsStringAsync());
        }
        Assert.Equal("automatic", (await api.Settings())["ipv6"]!["mode"]!.GetValue<string>());
        Assert.DoesNotContain(Ipv6FixedWanFixture.WanAddress + "/64", Router("ip -6 -o addr show dev wan0"));

        using (var put = await PutIpv6(v6 => { v6["mode"] = "static"; v6["static"] = Fixed(Ipv6Isp.IspAddress); }))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        await lab.WaitFor(() => Router("ip -6 route show default").Contains($"via {Ipv6Isp.IspAddress} dev wan0"), Applied, "the static IPv6 default route");
        Assert.Contains($"{Ipv6FixedWanFixture.WanAddress}/64", Router("ip -6 -o addr show dev wan0 scope global"));
        Assert.Contains(Ipv6FixedWanFixture.RouterLanAddress, Router("ip -6 -o addr show dev br-lan"));
        var v6 = (await api.GetJson("/api/status"))["ipv6"]!;
        Assert.Equal(("ipv6/UP", "static", Ipv6FixedWanFixture.WanAddress, Ipv6FixedWanFixture.RoutedPrefix),
            (v6["code"]!.GetValue<string>(), v6["mode"]!.GetValue<string>(), v6["wanAddress"]!.GetValue<string>(), v6["delegatedPrefix"]!.GetValue<string>()));
        Assert.Contains($"server={Ipv6Isp.IspAddress}", File.ReadAllText(Path.Combine(lab.RunDir, "dnsmasq.servers")));
        // No DHCPv6 client on a fixed line.
        Assert.DoesNotContain("dhcpcd", RouterProcesses());

        try { await lab.WaitFor(() => PhoneAddress() is not null, Slaac, "the phone to take a SLAAC address in the routed prefix's first /64"); }
        catch (TimeoutException) { Assert.Fail(State()); }
        var ping = lab.RunIn(lab.Phone.Namespace, $"ping -6 -c 2 -W 3 {Ipv6Isp.InternetHost}");
        Assert.True(ping.Ok, $"{ping}\n{State()}");
        var hello = lab.RunIn(lab.Phone.Namespace, $"socat -T 5 - TCP6:[{Ipv6Isp.InternetHost}]:{Ipv6Isp.HelloPort},connect-timeout=5 </dev/null");
        Assert.Equal(Ipv6Isp.HelloText, hello.Stdout.Trim());

        // The ISP's link-local gateway instead: the route follows, and so does the traffic.
        string ispLinkLocal = lab.RunIn(lab.IspNs, "ip -6 -o addr show dev isp0 scope link").Stdout
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).First().Split('/')[0];
        using (var put = await PutIpv6(v6 => v6["static"] = Fixed(ispLinkLocal)))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        await lab.WaitFor(() => Router("ip -6 route show default").Contains($"via {ispLinkLocal} dev wan0"), Applied, "the default route via the link-local gateway");
        Assert.DoesNotContain($"via {Ipv6Isp.IspAddress}", Router("ip -6 route show default"));
        var again = lab.RunIn(lab.Phone.Namespace, $"ping -6 -c 2 -W 3 {Ipv6Isp.InternetHost}");
        Assert.True(again.Ok, $"{again}\n{State()}");

        // Back to automatic: routerd's address and route leave the WAN, dhcpcd runs again.
        using (var put = await PutIpv6(v6 => v6["mode"] = "automatic"))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        await lab.WaitFor(() => !Router("ip -6 -o addr show dev wan0").Contains(Ipv6FixedWanFixture.WanAddress + "/64"), Applied, "the static address to leave the WAN");
        Assert.DoesNotContain("metric 512", Router("ip -6 route show default"));
        Assert.DoesNotContain(Ipv6FixedWanFixture.RouterLanAddress, Router("ip -6 -o addr show dev br-lan"));
        await lab.WaitFor(() => RouterProcesses().Contains("dhcpcd"), Applied, "dhcpcd to run again");
        Assert.Equal("automatic", (await api.GetJson("/api/status"))["ipv6"]!["mode"]!.GetValue<string>());

        // Now the ISP advertises its link's prefix for SLAAC and offers no DHCPv6: the WAN's address
        // reaches the status from the kernel (netlink), as over PPPoE.
        string radvd = Path.Combine(lab.Dir, "fixed-radvd.conf");
        File.WriteAllText(radvd, $$"""
            interface isp0 {
              AdvSendAdvert on; MinRtrAdvInterval 3; MaxRtrAdvInterval 4;
              prefix {{Ipv6Isp.WanSubnet}} { AdvOnLink on; AdvAutonomous on; };
            };
            """);
        lab.StartIn(lab.IspNs, $"exec radvd -n -C {radvd} -p {lab.Dir}/fixed-radvd.pid -m stderr", "isp-radvd-slaac");
        string? slaac = null;
        await lab.WaitFor(async () => (slaac = (await api.GetJson("/api/status"))["ipv6"]?["wanAddress"]?.GetValue<string>()) is not null,
            Slaac, "the WAN's SLAAC address in the status");
        Assert.StartsWith("2001:db8:1:", slaac);
        Assert.NotEqual(Ipv6FixedWanFixture.WanAddress, slaac);
        Assert.Contains($"inet6 {slaac}/64", Router("ip -6 -o addr show dev wan0 scope global"));
    }
}
