using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>Port forwards on a static WAN: the rules name no address, so a forward made while the
/// WAN had its DHCP address keeps working after the owner switches to a fixed address.</summary>
public sealed class PortForwardStaticWanTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    const string StaticAddress = "203.0.113.60";
    const int Service = 7102;
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;

    [Fact]
    public async Task A_forward_follows_the_wan_from_dhcp_to_a_static_address()
    {
        using var service = lab.StartIn(lab.Phone.Namespace, $"socat TCP-LISTEN:{Service},reuseaddr,fork SYSTEM:'echo static $SOCAT_PEERADDR'", "phone-static");
        await lab.WaitFor(() => lab.RunIn(lab.Phone.Namespace, $"ss -Htln 'sport = :{Service}'").Stdout.Contains("LISTEN"), TimeSpan.FromSeconds(5), "the phone's service");
        using (var post = await api.Post("/api/forwards", new JsonObject { ["protocol"] = "tcp", ["wanPort"] = 8080, ["mac"] = lab.Phone.Mac, ["lanPort"] = Service }))
            Assert.True((int)post.StatusCode == 201, await post.Content.ReadAsStringAsync());
        string Ask(string wan) => lab.RunIn(lab.IspNs, $"timeout 5 socat -T 3 - TCP:{wan}:8080,bind={LabAddresses.InternetHost},connect-timeout=3 </dev/null").Stdout.Trim();
        Assert.Equal($"static {LabAddresses.InternetHost}", Ask(lab.WanIp()));

        var settings = await api.Settings();
        settings["wan"]!["mode"] = "static";
        settings["wan"]!["static"] = new JsonObject { ["address"] = $"{StaticAddress}/{LabAddresses.IspPrefix}", ["gateway"] = LabAddresses.Isp, ["dns"] = new JsonArray(LabAddresses.Isp) };
        using (var put = await api.Put("/api/settings", settings))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        await lab.WaitFor(() => lab.WanAddress() == $"{StaticAddress}/{LabAddresses.IspPrefix}", TimeSpan.FromSeconds(15), "the static WAN address");
        var answer = "";
        try
        {
            await lab.WaitFor(() => (answer = Ask(StaticAddress)) == $"static {LabAddresses.InternetHost}", TimeSpan.FromSeconds(10),
                "the forward to answer on the static address");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no answer on {StaticAddress}: {answer}\n" + lab.RunIn(lab.IspNs, $"ping -c1 -W1 {StaticAddress}; ip neigh; ip route").Stdout
                + lab.RunIn(lab.RouterNs, "ip addr show wan0; ip route; nft list map inet routerd forward_v4; conntrack -L -p tcp --dport 8080").ToString());
        }
    }
}
