using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Routerd.Lab;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>The way people meet the router, in a real browser on the phone: a fresh router,
/// admin/admin, the forced password change, logging out and in again, the Internet login, the
/// Wi-Fi, and priority for the phone, down to the element in the router's nftables set.</summary>
public sealed class FirstRunTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string NewPassword = "sunny-meadow-42";
    const string PppoeUser = "customer@example-isp";
    const string PppoePassword = "pppoe-Secret-7391";
    const string Ssid = "Home Sweet Home";
    const string WifiPassword = "wifi-Secret-5820";

    readonly Lab.Lab lab = fixture.Lab;

    [Fact]
    public async Task Fresh_router_to_priority_for_the_phone()
    {
        await using var ui = await RouterUi.Open(fixture.Browser, RouterUi.Phone, "first-run");

        // First login with the factory password: nothing but the password change is offered.
        await ui.LogIn("admin", "admin");
        await Expect(ui.Heading).ToHaveTextAsync("Choose your own password");
        await Expect(ui.Page.GetByRole(AriaRole.Navigation)).Not.ToBeVisibleAsync();
        // A common password with digits added is refused at its field; the meter rates it while typing.
        await ui.ChangeForcedPassword("admin", "Sunshine2024!");
        await Expect(ui.Field("New password")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(ui.Page.Locator("[data-field=new] .field-error")).ToContainTextAsync("one of the most common passwords");
        await Expect(ui.Page.Locator("[data-field=new] [aria-live]")).ToContainTextAsync("Strength:");
        await ui.Screenshot("password-common-refused");
        await ui.ChangeForcedPassword("admin", NewPassword);
        await Expect(ui.Heading).ToHaveTextAsync("Status");

        // Log out; the factory password no longer works, the new one does.
        await ui.Button("Log out").ClickAsync();
        await ui.LogIn("admin", "admin");
        await Expect(ui.Page.Locator("main .form-error")).ToHaveTextAsync("Wrong username or password.");
        await ui.LogIn("admin", NewPassword);
        await Expect(ui.Heading).ToHaveTextAsync("Status");
        await Expect(ui.Page.Locator("main .rates .rate").First).ToBeVisibleAsync(new() { Timeout = 15_000 });

        // Wi-Fi: name, security, password (shown on request, never sent back).
        await ui.Go("Wi-Fi");
        // The router's own validation, shown next to the field it names.
        await ui.Field("Password").FillAsync("short");
        await ui.Button("Save").ClickAsync();
        await Expect(ui.Page.Locator("[data-field='wifi.passphrase'] .field-error")).ToContainTextAsync("8-63");
        await Expect(ui.Field("Password")).ToHaveAttributeAsync("aria-invalid", "true");
        await ui.Field("Network name (SSID)").FillAsync(Ssid);
        await ui.Field("Security").SelectOptionAsync("wpa2-wpa3");
        await ui.Field("Password").FillAsync(WifiPassword);
        await ui.Form("Wi-Fi").GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync(); // the guest network has its own
        await Expect(ui.Field("Password")).ToHaveAttributeAsync("type", "text");
        await ui.Save("Wi-Fi");
        await Expect(ui.Field("Password")).ToHaveValueAsync("");
        // This lab has no radio: the page says plainly that the settings wait to be applied.
        await Expect(ui.Page.GetByTestId("not-applied")).ToBeVisibleAsync();
        var wifi = (await fixture.Api.GetJson("/api/settings"))["wifi"]!;
        Assert.Equal(Ssid, (string?)wifi["ssid"]);
        Assert.Equal("wpa2-wpa3", (string?)wifi["security"]);
        Assert.Null(wifi["passphrase"]);
        Assert.Contains(WifiPassword, await ui.Fetch("/api/settings/export?secrets=true"));

        // The line speed switches the shaper on, so the lane has queues to jump.
        await ui.Go("Internet");
        await ui.Field("Download (Mbit/s)").FillAsync("100");
        await ui.Field("Upload (Mbit/s)").FillAsync("20");
        await ui.Save("Line speed");
        var qos = await fixture.Api.GetJson("/api/qos");
        Assert.True((bool?)qos["shaperOn"], $"the shaper is off after setting the line speed: {qos.ToJsonString()}");
        Assert.Equal(20_000, (long?)qos["uploadKbit"]);

        // Priority for the phone, for one hour, from a phone whose clock is three hours behind the
        // router's: the hour counts on the router's clock, the one that ends it.
        await ui.Page.Clock.SetSystemTimeAsync(DateTime.UtcNow.AddHours(-3));
        await ui.Go("Devices");
        await Expect(ui.Page.Locator(".lane .vip-wait").First).ToBeVisibleAsync();
        var phone = ui.Page.Locator("li.device", new() { HasText = lab.Phone.Mac });
        await phone.GetByRole(AriaRole.Combobox, new() { NameRegex = new System.Text.RegularExpressions.Regex("gets priority") }).SelectOptionAsync(new SelectOptionValue { Label = "1 hour" });
        await phone.GetByRole(AriaRole.Button, new() { Name = "Give priority" }).ClickAsync();
        await Expect(phone.Locator(".vip-until")).ToContainTextAsync("Priority until");
        await Expect(phone).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bvip\b"));
        await lab.WaitFor(() => VipMacs().Contains(lab.Phone.Mac, StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(10),
            $"the router's nftables set vip_macs to hold the phone's MAC {lab.Phone.Mac}");
        var device = (await fixture.Api.GetJson("/api/devices")).AsArray().Single(d => (string?)d!["mac"] == lab.Phone.Mac)!;
        var until = DateTimeOffset.Parse((string)device["priorityUntil"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(until - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(50), TimeSpan.FromMinutes(61));

        // PPPoE (last: the WAN leaves DHCP): saved, but the password never comes back, neither in the form nor from the API.
        await ui.Go("Internet");
        await ui.Page.GetByRole(AriaRole.Radio, new() { Name = "PPPoE" }).CheckAsync();
        await ui.Field("Username").FillAsync(PppoeUser);
        await ui.Field("Password").FillAsync(PppoePassword);
        await ui.Save("Internet connection");
        await ui.Page.ReloadAsync();
        await Expect(ui.Heading).ToHaveTextAsync("Internet");
        await Expect(ui.Field("Username")).ToHaveValueAsync(PppoeUser);
        await Expect(ui.Field("Password")).ToHaveValueAsync("");
        string settings = await ui.Fetch("/api/settings");
        Assert.StartsWith("200 ", settings);
        Assert.Contains(PppoeUser, settings);
        Assert.DoesNotContain(PppoePassword, settings);
        Assert.DoesNotContain(PppoePassword, (await fixture.Api.GetJson("/api/settings")).ToJsonString());
        Assert.DoesNotContain(PppoePassword, await ui.Fetch("/api/settings/export?secrets=false"));
        // Stored all the same: only an export that asks for secrets carries it.
        Assert.Contains(PppoePassword, await ui.Fetch("/api/settings/export?secrets=true"));

        Assert.Empty(ui.Problems);
    }

    string VipMacs() => lab.RunIn(lab.RouterNs, "nft list set inet routerd vip_macs").EnsureOk().Stdout;
}
