using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

public sealed class LanMoveLabFixture : LabFixture
{
    public const int RollbackSeconds = 30;
    protected override LabOptions Options => new() { RollbackSeconds = RollbackSeconds };
}

/// <summary>Issue 18, 9b on the real kernel: the ISP's box turns into a modem that is itself a router
/// on 192.168.1.x (the LAN's subnet) and hands the WAN 192.168.1.5x (50-59: the assertions below look for "192.168.1.5"). routerd moves its LAN to
/// 192.168.2.1 while the phone's browser stays attached through the old address and is told why;
/// once the old address has gone the WAN takes the lease: one route to 192.168.1.0/24 (the WAN's),
/// the default route through the modem, and the LAN on the internet again.</summary>
public sealed class LanMoveTests(LanMoveLabFixture fixture) : IClassFixture<LanMoveLabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi socket = fixture.Api;

    /// <summary>The LAN ports' reset after a move (Lan/LanReconnect.cs) and some room.</summary>
    static readonly TimeSpan LanReconnectWait = TimeSpan.FromSeconds(15);

    string Router(string command) => lab.RunIn(lab.RouterNs, command).EnsureOk().Stdout;

    [Fact]
    public async Task A_wan_lease_inside_the_lan_moves_the_lan_and_the_owners_browser_follows()
    {
        var phone = new LanBrowser(lab, lab.Phone);
        await phone.LogIn();
        Assert.StartsWith("203.0.113.", lab.WanIp());

        await lab.IspBecomesAModem();

        await lab.WaitFor(async () => (bool)(await socket.GetJson("/api/settings/pending"))["pending"]!, TimeSpan.FromSeconds(20),
            "the LAN to move away from the modem's subnet");
        // The browser, still in the old subnet, is told why at the old address, once its link is
        // back (the move resets the LAN ports' links; the phone's udhcpc keeps its lease over it).
        WebAnswer? seen = null;
        await lab.WaitFor(async () => (seen = await phone.Get("/api/settings/pending")).Status == 200,
            LanReconnectWait, "the pending view at the old address");
        Assert.Equal("192.168.2.1", (string?)seen!.Json!["newAddress"]);
        Assert.Contains("192.168.1.5", (string?)seen.Json!["reason"]);
        var status = await phone.Get("/api/status");
        Assert.Contains("lan/MOVED", status.Body);
        Assert.Contains("192.168.2.1/24", Router("ip -4 -o addr show dev br-lan"));
        Assert.Contains("192.168.1.1/24", Router("ip -4 -o addr show dev br-lan"));
        // The lease waits meanwhile: no second route into 192.168.1.0/24, no default via our own address.
        Assert.Null(lab.WanAddress());

        // It follows to the new address through its old gateway, as after an owner's change.
        var there = new LanBrowser(lab, lab.Phone) { Host = "192.168.2.1" };
        await lab.WaitFor(async () => (await there.Get("/api/openapi.json")).Status == 200, TimeSpan.FromSeconds(5), "the web UI to answer on 192.168.2.1");
        // A renewal in the old subnet is refused (dnsmasq is authoritative): the phone takes a new address.
        lab.RenewLease(lab.Phone);
        await lab.WaitFor(() => lab.LeaseOf(lab.Phone)?.Address.StartsWith("192.168.2.", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(15), "the phone to get an address in 192.168.2.0/24");
        await there.LogIn();
        var confirmed = await there.Send("POST", "/api/settings/confirm");
        Assert.True(confirmed.Status == 204, $"confirm from the new address: {confirmed}");

        await lab.WaitFor(() => lab.WanAddress()?.StartsWith("192.168.1.5", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(15),
            "the WAN to take the modem's lease once the old address has gone");
        Assert.DoesNotContain("192.168.1.1", Router("ip -4 -o addr show dev br-lan"));
        var routes = Router("ip -4 route show 192.168.1.0/24").Trim().Split('\n');
        Assert.True(routes.Length == 1 && routes[0].Contains("dev wan0"), $"one route to the modem's subnet, on the WAN: {string.Join(" | ", routes)}");
        Assert.Contains("default via 192.168.1.1 dev wan0", Router("ip -4 route show default"));
        Assert.Equal("192.168.2.1/24", (string?)(await socket.Settings())["lan"]!["address"]);
        await lab.WaitFor(() => lab.FetchHello(lab.Phone).Ok, TimeSpan.FromSeconds(10), "the phone to reach the internet through the modem");
    }
}
