using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>Apply with rollback on the real kernel: a new LAN subnet set from the phone's browser
/// is served at once on the new address (the old one stays until confirmed), and either comes
/// back by itself or is kept once confirmed from the new address.</summary>
public sealed class LanRollbackTests(WebLabFixture fixture) : IClassFixture<WebLabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi socket = fixture.Api;

    static JsonObject WithLan(JsonNode settings, string address, string start, string end)
    {
        var s = settings.DeepClone().AsObject();
        s["lan"]!["address"] = address;
        s["lan"]!["dhcp"]!["start"] = start;
        s["lan"]!["dhcp"]!["end"] = end;
        return s;
    }

    string BridgeAddresses() => lab.RunIn(lab.RouterNs, "ip -4 -o addr show dev br-lan").EnsureOk().Stdout;

    async Task<bool> Pending() => (bool)(await socket.GetJson("/api/settings/pending"))["pending"]!;

    /// <summary>Changes the LAN from the phone's browser; returns a browser logged in at the new address.</summary>
    async Task<LanBrowser> ChangeLanFromThePhone(string address, string start, string end)
    {
        var phone = new LanBrowser(lab, lab.Phone);
        await phone.LogIn();
        var settings = (await phone.Get("/api/settings")).Json!;
        var a = await phone.Send("PUT", "/api/settings", WithLan(settings, address + "/24", start, end));
        Assert.True(a.Status == 202, $"a new LAN address is a pending change: {a}");
        Assert.True((bool)a.Json!["pending"]!);
        Assert.Equal(address, (string?)a.Json!["newAddress"]);
        Assert.InRange((int)a.Json!["secondsLeft"]!, 1, WebLabFixture.RollbackSeconds);

        // The browser follows to the new address (through its old default route, the router's
        // old address, which stays until the change is confirmed) and logs in there.
        var there = new LanBrowser(lab, lab.Phone) { Host = address };
        await lab.WaitFor(async () => (await there.Get("/api/openapi.json")).Status == 200, TimeSpan.FromSeconds(5), $"the web UI to answer on {address}");
        await there.LogIn();
        var pending = await there.Get("/api/settings/pending");
        Assert.True(pending.Status == 200 && (bool)pending.Json!["pending"]!, $"pending, seen from the new address: {pending}");
        Assert.Equal(200, (await phone.Get("/api/settings/pending")).Status); // the old address serves too meanwhile
        Assert.True(lab.FetchHello(lab.Phone).Ok, "a device still in the old subnet keeps its internet meanwhile");
        return there;
    }


    [Fact]
    public async Task An_unconfirmed_lan_change_rolls_back_and_the_clients_leases_still_work()
    {
        await ChangeLanFromThePhone("10.9.0.1", "10.9.0.100", "10.9.0.200");
        Assert.Contains("10.9.0.1/24", BridgeAddresses());

        await lab.WaitFor(async () => !await Pending(), TimeSpan.FromSeconds(WebLabFixture.RollbackSeconds + 10), "the change to roll back");

        Assert.Equal("192.168.1.1/24", (string?)(await socket.Settings())["lan"]!["address"]);
        await lab.WaitFor(() => !BridgeAddresses().Contains("10.9.0.1"), TimeSpan.FromSeconds(5), "the new address to go");
        var phone = new LanBrowser(lab, lab.Phone);
        await lab.WaitFor(async () => (await phone.Get("/")).Status == 200, TimeSpan.FromSeconds(5), "the old address to serve the UI");
        await phone.LogIn();
        Assert.Equal(200, (await phone.Get("/api/status")).Status);
        Assert.Contains("dhcp-range=192.168.1.", File.ReadAllText(Path.Combine(lab.RunDir, "dnsmasq.conf")));
        await lab.RenewKeepingAddress(lab.Phone);
        Assert.True(lab.FetchHello(lab.Phone).Ok, "the phone reaches the internet after the rollback");
        Assert.True(lab.FetchHello(lab.Laptop).Ok, "the laptop reaches the internet after the rollback");
    }

    [Fact]
    public async Task A_lan_change_confirmed_from_the_new_address_is_kept()
    {
        var before = await socket.Settings();
        try
        {
            var there = await ChangeLanFromThePhone("10.8.0.1", "10.8.0.100", "10.8.0.200");
            var confirmed = await there.Send("POST", "/api/settings/confirm");
            Assert.True(confirmed.Status == 204, $"confirm: {confirmed}");
            Assert.False(await Pending());
            Assert.Equal(409, (await there.Send("POST", "/api/settings/confirm")).Status);

            // The old address goes a few seconds later (the phone, still in the old subnet, has
            // got its answers through it); the new one stays past the rollback deadline.
            await lab.WaitFor(() => !BridgeAddresses().Contains("192.168.1.1"), TimeSpan.FromSeconds(10), "the old address to go");
            await Task.Delay(TimeSpan.FromSeconds(WebLabFixture.RollbackSeconds));
            Assert.Equal("10.8.0.1/24", (string?)(await socket.Settings())["lan"]!["address"]);
            Assert.Contains("10.8.0.1/24", BridgeAddresses());
        }
        finally
        {
            // Back to the lab's LAN through the control socket, confirmed at once.
            using (await socket.Put("/api/settings", before)) { }
            using (await socket.Post("/api/settings/confirm")) { }
            await lab.WaitFor(() => BridgeAddresses().Contains("192.168.1.1/24") && !BridgeAddresses().Contains("10.8.0.1"),
                TimeSpan.FromSeconds(10), "the lab's LAN address to come back");
        }
        await lab.RenewKeepingAddress(lab.Phone);
        Assert.True(lab.FetchHello(lab.Phone).Ok);
    }
}
