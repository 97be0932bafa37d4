using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>Path MTU discovery through routerd on IPv6. IPv6 routers never fragment: a packet
/// too big for the next link is dropped and the hop sends the sender an ICMPv6 Packet Too Big
/// (RFC 8201). For routerd that message matters when the sender is on the LAN: it comes from a
/// hop behind the ISP and must cross routerd's forward path (WAN → LAN, conntrack "related") to
/// reach the device. So the path here is 1500 bytes from the phone to the ISP and 1280 from the
/// ISP to a host behind it ("far"), and the data flows from the phone to far: far downloads a
/// file from the phone's server through the phone's IPv6 pinhole.
///
/// Why TCP still needs PMTU discovery here: far's own link is 1500 bytes (only the ISP's end of
/// the far link is 1280), so far announces an MSS of 1440; routerd's MSS clamp sets the MSS to
/// its own route's MTU toward far (wan0, 1500), which does not know of the narrower link either.
/// The phone sends 1500-byte packets until a Packet Too Big tells it otherwise.
///
/// The test first proves that the path needs the message: with Packet Too Big dropped in the
/// router's namespace (a table of the test's, before routerd's), the download stalls and the
/// ISP's too-big replies are counted there. Then, with routerd alone, the same download completes
/// and the phone's route to far carries the learned MTU of 1280.</summary>
public sealed class Ipv6PmtuTests(Ipv6LabFixture fixture) : IClassFixture<Ipv6LabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    const string FarIsp = "2001:db8:fa::1", Far = "2001:db8:fa::2";
    const int Port = 7300, Bytes = 3_000_000;
    static readonly TimeSpan Slaac = TimeSpan.FromSeconds(40);

    /// <summary>far, behind the ISP: a veth whose ISP end has MTU 1280 and whose far end 1500.</summary>
    string BuildFar()
    {
        string far = lab.AddNamespace("far");
        lab.RunIn(lab.IspNs, $"ip link add isp-far mtu 1280 type veth peer name eth0 netns {far}"
            + $" && ip addr add {FarIsp}/64 dev isp-far nodad && ip link set isp-far up && sysctl -qw net.ipv6.conf.all.forwarding=1").EnsureOk();
        lab.RunIn(far, $"ip link set eth0 mtu 1500 up && ip addr add {Far}/64 dev eth0 nodad && ip -6 route add default via {FarIsp}").EnsureOk();
        return far;
    }

    /// <summary>far fetches the phone's file; the bytes it received (the transfer gives up after 6 s without progress).</summary>
    long Download(string far, string phone)
    {
        var r = lab.RunIn(far, $"timeout 20 socat -T 6 -u TCP6:[{phone}]:{Port},connect-timeout=5 - | wc -c", TimeSpan.FromSeconds(30));
        return long.Parse(r.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_path_narrowed_to_1280_behind_the_isp_still_carries_a_download_from_a_lan_server()
    {
        await lab.WaitFor(() => fixture.GlobalAddress(lab.Phone) is not null, Slaac, "the phone's SLAAC address");
        string phone = fixture.GlobalAddress(lab.Phone)!;
        string far = BuildFar();
        Assert.Contains("mtu 1280", lab.RunIn(lab.IspNs, "ip link show isp-far").Stdout);

        lab.StartIn(lab.Phone.Namespace, $"exec socat TCP6-LISTEN:{Port},reuseaddr,fork SYSTEM:'head -c {Bytes} /dev/zero'", "phone-file");
        // The router learns the phone's address from its traffic (the neighbour table), as in any home.
        Assert.True(lab.RunIn(lab.Phone.Namespace, $"socat -T 5 - TCP6:[{Ipv6Isp.InternetHost}]:{Ipv6Isp.HelloPort},bind=[{phone}],connect-timeout=5 </dev/null").Ok);
        using (var r = await fixture.Api.Post("/api/forwards", new JsonObject { ["protocol"] = "tcp", ["wanPort"] = Port, ["mac"] = lab.Phone.Mac }))
            Assert.True((int)r.StatusCode == 201, await r.Content.ReadAsStringAsync());
        await lab.WaitFor(() => lab.NftSet("forward_v6").Contains($"{phone} . tcp . {Port}"), TimeSpan.FromSeconds(15), "the phone's pinhole");
        Assert.True(lab.RunIn(far, $"ping -6 -c 1 -W 2 {FarIsp}").Ok, "far does not reach the ISP");

        // A black hole for Packet Too Big in the router (the test's own table, ahead of routerd's filter).
        lab.RunIn(lab.RouterNs, "nft -f - <<'EOF'\ntable inet pmtu_blackhole {\n\tchain forward {\n\t\ttype filter hook forward priority -10; policy accept;\n"
            + "\t\ticmpv6 type packet-too-big counter drop\n\t}\n}\nEOF").EnsureOk();
        long stalled = Download(far, phone);
        string counter = lab.RunIn(lab.RouterNs, "nft list table inet pmtu_blackhole").Stdout;
        string learned = lab.RunIn(lab.Phone.Namespace, $"ip -6 route get {Far}").Stdout;
        lab.RunIn(lab.RouterNs, "nft delete table inet pmtu_blackhole").EnsureOk();
        Assert.True(stalled < Bytes, $"the download completed ({stalled} bytes) although Packet Too Big was dropped: the path does not need PMTU discovery, so this test proves nothing");
        // The phone's full-size packets reached the ISP, which answered Packet Too Big: the connection was up.
        Assert.Matches(@"counter packets [1-9]", counter);
        Assert.DoesNotContain("mtu 1280", learned);

        // routerd alone: Packet Too Big reaches the phone, which sends smaller packets.
        long got = Download(far, phone);
        Assert.True(got == Bytes, $"far received {got} of {Bytes} bytes through the 1280-byte link");
        Assert.Contains("mtu 1280", lab.RunIn(lab.Phone.Namespace, $"ip -6 route get {Far}").Stdout);
    }
}
