using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>A damaged settings file never keeps the router down and is never written to: routerd
/// moves it aside untouched, restores the last good copy (or, without one, starts from the board's
/// defaults in a rescue state), serves, and says so in its log and in status.store.</summary>
static class RouterdStart
{
    /// <summary>Starts routerd and returns its first status once it serves on the control socket.</summary>
    public static async Task<JsonNode> StartRouterdAndWaitForStatus(this Lab.Lab lab)
    {
        lab.StartRouterd();
        using var api = new RouterdApi(lab.ControlSocket);
        JsonNode? status = null;
        await lab.WaitFor(async () =>
        {
            try { status = await api.GetJson("/api/status"); return true; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(60), "routerd to serve");
        Assert.False(lab.Routerd!.HasExited, $"routerd exited: {lab.Routerd.Output}");
        return status!;
    }
}

public sealed class DamagedSettingsTests(LabWithoutRouterdFixture fixture) : IClassFixture<LabWithoutRouterdFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    string File_ => Path.Combine(lab.StateDir, "settings.db");

    Task<JsonNode> StartAndWaitForStatus() => lab.StartRouterdAndWaitForStatus();

    static byte[] Garbage(int length)
    {
        var b = new byte[length];
        new Random(2).NextBytes(b);
        return b;
    }

    [Fact]
    public async Task Damaged_without_a_good_copy_it_starts_in_rescue_and_with_one_it_restores_it()
    {
        Directory.CreateDirectory(lab.StateDir);
        var garbage = Garbage(30000);
        File.WriteAllBytes(File_, garbage);
        try
        {
            var status = await StartAndWaitForStatus();
            Assert.Equal("store/RESCUE", (string?)status["store"]?["code"]);
            string aside = (string)status["store"]!["damagedCopy"]!;
            Assert.Equal(SHA256.HashData(garbage), SHA256.HashData(File.ReadAllBytes(aside)));
            Assert.Contains("store/RESCUE", lab.Routerd!.Output);
            await lab.WaitForLeases(TimeSpan.FromSeconds(60));
            // The rescue state is the board's: LAN at its default address, the first-boot login.
            Assert.Equal("200", lab.RunIn(lab.Phone.Namespace, $"curl -s -o /dev/null -w '%{{http_code}}' http://{LabAddresses.RouterLan}/").Stdout.Trim());
            // ...with its WAN closed: no DHCP client, no address, until the owner sets a password.
            Assert.Equal("wan/RESCUE", (string?)status["wan"]?["code"]);
            await Task.Delay(TimeSpan.FromSeconds(3)); // the lab's ISP answers a DHCP client within a second
            Assert.Empty(lab.PidsOf(lab.RouterNs, "udhcpc"));
            Assert.Null(lab.WanAddress());
            var phone = new LanBrowser(lab, lab.Phone);
            await phone.LogIn();
            await lab.WaitFor(() => lab.WanAddress() is not null, TimeSpan.FromSeconds(30), "the WAN to open once the password is set");
            using (var api = new RouterdApi(lab.ControlSocket))
            {
                var settings = await api.Settings();
                settings["wifi"]!["ssid"] = "after-rescue";
                using var put = await api.Put("/api/settings", settings);
                Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
            }
            lab.StopRouterd();

            // Cut short (a power cut mid-write): the last good copy comes back.
            var damaged = File.ReadAllBytes(File_)[..12000];
            File.WriteAllBytes(File_, damaged);
            status = await StartAndWaitForStatus();
            Assert.Equal("store/RESTORED", (string?)status["store"]?["code"]);
            Assert.Equal(SHA256.HashData(damaged), SHA256.HashData(File.ReadAllBytes((string)status["store"]!["damagedCopy"]!)));
            using (var api = new RouterdApi(lab.ControlSocket))
                Assert.Equal("after-rescue", (string?)(await api.Settings())["wifi"]!["ssid"]);
            lab.StopRouterd();

            // An empty file is damage too, never a silent first boot.
            File.WriteAllBytes(File_, []);
            status = await StartAndWaitForStatus();
            Assert.Equal("store/RESTORED", (string?)status["store"]?["code"]);
            using (var api = new RouterdApi(lab.ControlSocket))
                Assert.Equal("after-rescue", (string?)(await api.Settings())["wifi"]!["ssid"]);
        }
        finally
        {
            lab.StopRouterd();
        }
    }
}
