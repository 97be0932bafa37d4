using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>A port forward on IPv6 is a pinhole (Firewall/ForwardPinholes): from the ISP
/// namespace, over IPv6 and without translation, the phone's forwarded LAN port answers at its
/// SLAAC address and at a temporary address, while the forward is enabled and not after it is
/// turned off. A short scan shows that everything else stays closed: the forward's WAN port and an
/// unforwarded port on the phone (both with a listener behind them), the laptop, and the router.</summary>
public sealed class Ipv6PinholeTests(Ipv6LabFixture fixture) : IClassFixture<Ipv6LabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;
    static readonly TimeSpan Slaac = TimeSpan.FromSeconds(40);
    /// <summary>The forward: WAN port 18080 to the phone's 8080 (TCP), and UDP 8081 to the same port.</summary>
    const int WanPort = 18080, LanPort = 8080, UdpPort = 8081, NotForwarded = 9090;

    static JsonObject Forward(string protocol, int wanPort, string mac, int? lanPort, bool enabled = true) => new()
    {
        ["protocol"] = protocol, ["wanPort"] = wanPort, ["mac"] = mac, ["lanPort"] = lanPort, ["enabled"] = enabled,
    };

    async Task<int> Create(JsonObject forward)
    {
        using var r = await api.Post("/api/forwards", forward);
        string body = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == 201, $"POST /api/forwards → {(int)r.StatusCode}: {body}");
        return (int)JsonNode.Parse(body)!["id"]!;
    }

    async Task<List<string>> PinholeAddresses(int id) =>
        ((JsonArray)await api.GetJson("/api/forwards")).Single(f => (int)f!["id"]! == id)!["ipv6Addresses"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();

    /// <summary>TCP connects from the ISP to every target at once (a closed port is a 3 s timeout:
    /// the firewall drops, it does not refuse); the targets that answered, as "[host]:port".</summary>
    HashSet<string> Scan(IEnumerable<(string Host, int Port)> targets)
    {
        var list = targets.ToList();
        string probes = string.Join(" ", list.Select(t =>
            $"(timeout 5 socat -T 3 - TCP6:[{t.Host}]:{t.Port},connect-timeout=3 </dev/null >/dev/null 2>&1 && echo 'open [{t.Host}]:{t.Port}') &"));
        var r = lab.RunIn(lab.IspNs, $"{probes} wait", TimeSpan.FromSeconds(30));
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("open ", StringComparison.Ordinal)).Select(l => l[5..]).ToHashSet();
    }

    /// <summary>The answer to a datagram from the ISP, "" if none came.</summary>
    string Udp(string host, int port) => lab.UdpFromIsp($"UDP6:[{host}]:{port}").Stdout.Trim();

    /// <summary>The client speaks from <paramref name="source"/> (to the internet host), so the
    /// router's neighbour table learns that the address is the client's, as it would from any traffic.</summary>
    void Speak(LabClient client, string source)
    {
        var hello = lab.RunIn(client.Namespace, $"socat -T 5 - TCP6:[{Ipv6Isp.InternetHost}]:{Ipv6Isp.HelloPort},bind=[{source}],connect-timeout=5 </dev/null");
        Assert.True(hello.Ok, $"{client.Name} from {source}: {hello}");
    }

    [Fact]
    public async Task The_forwarded_lan_port_is_open_over_ipv6_at_each_address_of_the_device_only_while_enabled()
    {
        await lab.WaitFor(() => fixture.GlobalAddress(lab.Phone) is not null && fixture.GlobalAddress(lab.Laptop) is not null, Slaac,
            "phone and laptop to take SLAAC addresses");
        string phone = fixture.GlobalAddress(lab.Phone)!, laptop = fixture.GlobalAddress(lab.Laptop)!;
        // A temporary (privacy) address as a phone makes one: random, in the same /64.
        var bytes = System.Net.IPAddress.Parse(phone).GetAddressBytes();
        byte[] interfaceId = [0x6a, 0x11, 0x3c, 0xd4, 0x95, 0x02, 0xe7, 0x58];
        interfaceId.CopyTo(bytes, 8);
        string temporary = new System.Net.IPAddress(bytes).ToString();
        lab.RunIn(lab.Phone.Namespace, $"ip -6 addr add {temporary}/64 dev eth0 nodad").EnsureOk();

        // Listeners everywhere the scan looks: what refuses must be the firewall, not an empty port.
        foreach (int port in new[] { LanPort, WanPort, NotForwarded })
            lab.StartIn(lab.Phone.Namespace, $"exec socat TCP6-LISTEN:{port},reuseaddr,fork SYSTEM:'echo phone {port}'", $"phone-listen-{port}");
        // Bound to the SLAAC address: the answer must come from the address the ISP sent to (the phone has two in one /64).
        lab.StartIn(lab.Phone.Namespace, $"exec socat -t 2 UDP6-RECVFROM:{UdpPort},bind=[{phone}],fork SYSTEM:'echo phone udp'", "phone-udp6");
        lab.StartIn(lab.Laptop.Namespace, $"exec socat TCP6-LISTEN:{LanPort},reuseaddr,fork SYSTEM:'echo laptop'", "laptop-listen");
        lab.StartIn(lab.Laptop.Namespace, $"exec socat -t 2 UDP6-RECVFROM:{UdpPort},bind=[{laptop}],fork SYSTEM:'echo laptop udp'", "laptop-udp6");
        int Listening(LabClient c) => lab.RunIn(c.Namespace, "ss -Hlntu6").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        await lab.WaitFor(() => Listening(lab.Phone) == 4 && Listening(lab.Laptop) == 2, TimeSpan.FromSeconds(5), "the test services to listen");
        Speak(lab.Phone, phone);
        Speak(lab.Phone, temporary);
        Speak(lab.Laptop, laptop);

        int tcp = await Create(Forward("tcp", WanPort, lab.Phone.Mac, LanPort));
        int udp = await Create(Forward("udp", UdpPort, lab.Phone.Mac, null));
        await lab.WaitFor(async () => (await PinholeAddresses(tcp)) is var a && a.Contains(phone) && a.Contains(temporary),
            TimeSpan.FromSeconds(15), $"the forward's pinholes at {phone} and {temporary}");
        Assert.DoesNotContain(laptop, await PinholeAddresses(tcp));
        string set = lab.NftSet("forward_v6");
        Assert.Contains($"{phone} . tcp . {LanPort}", set);
        Assert.Contains($"{temporary} . tcp . {LanPort}", set);

        string routerLan = fixture.LanPrefixStart() + ":1";
        string routerWan = (await api.GetJson("/api/status"))["ipv6"]!["wanAddress"]!.GetValue<string>();
        (string, int)[] scan =
        [
            (phone, LanPort), (temporary, LanPort),          // the pinholes
            (phone, WanPort), (temporary, WanPort),          // the forward's WAN port: nothing is translated on IPv6
            (phone, NotForwarded), (phone, 22),
            (laptop, LanPort), (laptop, NotForwarded),       // another host
            (routerLan, 80), (routerLan, 53), (routerWan, 80), (routerWan, 53), (routerWan, LanPort), (routerWan, WanPort),
        ];
        var open = Scan(scan);
        Assert.Equal(new[] { $"[{phone}]:{LanPort}", $"[{temporary}]:{LanPort}" }.Order().ToList(), open.Order().ToList());
        Assert.Equal($"phone {LanPort}", lab.RunIn(lab.IspNs, $"timeout 5 socat -T 3 - TCP6:[{phone}]:{LanPort},connect-timeout=3 </dev/null").Stdout.Trim());
        Assert.Equal("phone udp", Udp(phone, UdpPort));
        Assert.Equal("", Udp(laptop, UdpPort));

        // Turned off: the same port is closed at once (the answer comes once the set is in the kernel).
        using (var off = await api.Put($"/api/forwards/{tcp}", Forward("tcp", WanPort, lab.Phone.Mac, LanPort, enabled: false)))
            Assert.True(off.IsSuccessStatusCode, await off.Content.ReadAsStringAsync());
        Assert.Empty(await PinholeAddresses(tcp));
        Assert.DoesNotContain($". tcp . {LanPort}", lab.NftSet("forward_v6"));
        Assert.Empty(Scan(scan));
        Assert.Equal("phone udp", Udp(phone, UdpPort)); // the other forward stays open

        using (var gone = await api.Delete($"/api/forwards/{udp}"))
            Assert.Equal(204, (int)gone.StatusCode);
        Assert.Equal("", Udp(phone, UdpPort));
        using (var gone = await api.Delete($"/api/forwards/{tcp}"))
            Assert.Equal(204, (int)gone.StatusCode);
    }
}
