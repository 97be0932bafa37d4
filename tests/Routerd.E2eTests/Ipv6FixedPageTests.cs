using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>The Internet page's IPv6 mode switch: "Fixed" shows the business line's fields (and
/// hides the prefix size, which only an automatic line asks for), a bad gateway is refused under
/// its field with nothing stored, good values are saved and shown, and "Automatic" comes back.</summary>
public sealed class Ipv6FixedPageTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "ipv6-fixed-7";

    [Fact]
    public async Task The_fixed_mode_takes_a_business_lines_values_and_refuses_a_bad_gateway_by_field()
    {
        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Desktop, "ipv6-fixed", Password);
        await ui.Go("Internet");
        var form = ui.Form("IPv6");
        ILocator Field(string label) => form.GetByLabel(label, new() { Exact = true });
        await Expect(form.GetByRole(AriaRole.Radio, new() { Name = "Automatic" })).ToBeCheckedAsync();
        await Expect(Field("Routed prefix")).ToBeHiddenAsync();

        await form.GetByRole(AriaRole.Radio, new() { Name = "Fixed" }).CheckAsync();
        await Expect(Field("Prefix size to ask for")).ToBeHiddenAsync();
        await Field("Address with prefix length").FillAsync("2001:db8:1::2/64");
        await Field("Gateway").FillAsync("2001:db8:9::1");
        await Field("Routed prefix").FillAsync("2001:db8:200::/48");
        await Field("IPv6 DNS servers (optional)").FillAsync("2001:db8:1::53, ff02::1");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(form.Locator("[data-field='ipv6.static.gateway'] .field-error")).ToContainTextAsync("neither on the WAN's subnet");
        // A list entry's refusal lands under the list's one input.
        await Expect(form.Locator("[data-field='ipv6.static.dns'] .field-error")).ToContainTextAsync("ff02::1");
        await ui.Screenshot("internet-ipv6-fixed-errors");
        Assert.Equal("automatic", (string)(await fixture.Api.GetJson("/api/settings"))["ipv6"]!["mode"]!);

        await Field("Gateway").FillAsync("fe80::1");
        await Field("IPv6 DNS servers (optional)").FillAsync("2001:db8:1::53");
        await ui.Save("IPv6");
        var stored = (await fixture.Api.GetJson("/api/settings"))["ipv6"]!;
        Assert.Equal(("static", "2001:db8:1::2/64", "fe80::1", "2001:db8:200::/48"),
            ((string)stored["mode"]!, (string)stored["static"]!["address"]!, (string)stored["static"]!["gateway"]!, (string)stored["static"]!["routedPrefix"]!));
        var panel = ui.Page.GetByRole(AriaRole.Region, new() { Name = "IPv6", Exact = true });
        await Expect(panel).ToContainTextAsync("Connected");
        foreach (var text in new[] { "2001:db8:1::2", "fe80::1", "Routed prefix", "2001:db8:200::/48", "2001:db8:200::/64" })
            await Expect(panel).ToContainTextAsync(text);
        await ui.Screenshot("internet-ipv6-fixed");

        await form.GetByRole(AriaRole.Radio, new() { Name = "Automatic" }).CheckAsync();
        await Expect(Field("Routed prefix")).ToBeHiddenAsync();
        await ui.Save("IPv6");
        Assert.Equal("automatic", (string)(await fixture.Api.GetJson("/api/settings"))["ipv6"]!["mode"]!);
        Assert.Empty(ui.Problems);
    }
}
