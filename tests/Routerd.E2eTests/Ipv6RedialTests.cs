using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>pppd negotiates IPv6 only when a session starts, so over PPPoE the IPv6 switch ends
/// the session: the page says so and asks first; Cancel changes nothing, the action saves.</summary>
public sealed class Ipv6RedialTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "ipv6-redial-8";

    [Fact]
    public async Task Over_pppoe_the_ipv6_switch_asks_before_it_redials()
    {
        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Desktop, "ipv6-redial", Password);
        await ui.Go("Internet");
        var wan = ui.Form("Internet connection");
        await wan.GetByRole(AriaRole.Radio, new() { Name = "PPPoE" }).CheckAsync();
        await wan.GetByLabel("Username", new() { Exact = true }).FillAsync("redial-user@isp.example");
        await wan.GetByLabel("Password", new() { Exact = true }).FillAsync("redial-pass");
        await ui.Save("Internet connection");
        Assert.Equal("pppoe", (string)(await fixture.Api.GetJson("/api/settings"))["wan"]!["mode"]!);

        var v6 = ui.Form("IPv6");
        var save = v6.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true });
        var dialog = ui.Page.GetByRole(AriaRole.Dialog);
        await ui.Field("IPv6 on").UncheckAsync();
        await save.ClickAsync();
        await Expect(dialog).ToContainTextAsync("Switch IPv6 off?");
        await Expect(dialog).ToContainTextAsync("dials your provider again");
        await ui.Screenshot("ipv6-redial-confirm");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(v6).ToContainTextAsync("Not changed.");
        Assert.True((bool)(await fixture.Api.GetJson("/api/settings"))["ipv6"]!["enabled"]!);

        await save.ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Switch and redial" }).ClickAsync();
        await Expect(v6).ToContainTextAsync("Saved.");
        Assert.False((bool)(await fixture.Api.GetJson("/api/settings"))["ipv6"]!["enabled"]!);

        // Saving IPv6 with the switch where it was asks nothing.
        await ui.Field("Prefix size to ask for").FillAsync("60");
        await ui.Save("IPv6");
        await Expect(dialog).ToHaveCountAsync(0);
        Assert.Equal(60, (int)(await fixture.Api.GetJson("/api/settings"))["ipv6"]!["prefixHint"]!);
        Assert.Empty(ui.Problems);
    }
}
