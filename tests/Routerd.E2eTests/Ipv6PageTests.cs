using Microsoft.Playwright;
using Routerd.Lab;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>The lab's ISP also delegates IPv6 prefixes (Kea, radvd): the pages have something to show.</summary>
public sealed class Ipv6BrowserFixture : BrowserLabFixture
{
    protected override async Task Prepare(Lab.Lab lab, RouterdApi api)
    {
        Ipv6Isp.Start(lab);
        await lab.WaitFor(async () => (string?)(await api.GetJson("/api/status"))["ipv6"]?["code"] == "ipv6/UP",
            TimeSpan.FromSeconds(90), "routerd's WAN to get a delegated prefix from Kea");
    }
}

/// <summary>IPv6 in the browser: the Status page and the Internet page say what the router holds,
/// and the Internet page's IPv6 settings refuse bad values next to the field they are about.</summary>
public sealed class Ipv6PageTests(Ipv6BrowserFixture fixture) : IClassFixture<Ipv6BrowserFixture>
{
    const string Password = "ipv6-pass-6";

    [Fact]
    public async Task The_pages_show_the_prefixes_and_the_settings_refuse_bad_values_by_field()
    {
        var v6 = (await fixture.Api.GetJson("/api/status"))["ipv6"]!;
        string prefix = (string)v6["delegatedPrefix"]!, wanAddress = (string)v6["wanAddress"]!;
        string lanPrefix = ((System.Text.Json.Nodes.JsonArray)v6["lanPrefixes"]!).Select(p => (string)p!).First(p => p.StartsWith("2001:", StringComparison.Ordinal));
        string ula = (string)(await fixture.Api.GetJson("/api/settings"))["ipv6"]!["ula"]!;

        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Desktop, "ipv6", Password);
        var status = ui.Page.GetByRole(AriaRole.Region, new() { Name = "IPv6", Exact = true });
        await Expect(status).ToContainTextAsync("Connected");
        foreach (var text in new[] { wanAddress, prefix, lanPrefix, "valid " })
            await Expect(status).ToContainTextAsync(text);
        await ui.Screenshot("status");

        await ui.Go("Internet");
        var panel = ui.Page.GetByRole(AriaRole.Region, new() { Name = "IPv6", Exact = true });
        await Expect(panel).ToContainTextAsync(prefix);
        await Expect(ui.Field("Local prefix (ULA)")).ToHaveValueAsync(ula);
        await Expect(ui.Field("IPv6 on")).ToBeCheckedAsync();

        // Both bad at once: each message under its own field, nothing stored.
        var form = ui.Form("IPv6");
        await ui.Field("Prefix size to ask for").FillAsync("70");
        await ui.Field("Local prefix (ULA)").FillAsync("2001:db8::/48");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(form.Locator("[data-field='ipv6.prefixHint'] .field-error")).ToContainTextAsync("between 48 and 64");
        await Expect(form.Locator("[data-field='ipv6.ula'] .field-error")).ToContainTextAsync("unique local");
        await ui.Screenshot("internet-errors");
        var stored = (await fixture.Api.GetJson("/api/settings"))["ipv6"]!;
        Assert.Equal(56, (int)stored["prefixHint"]!);
        Assert.Equal(ula, (string)stored["ula"]!);

        // Good values are saved; IPv6 off shows at once.
        await ui.Field("Prefix size to ask for").FillAsync("60");
        await ui.Field("Local prefix (ULA)").FillAsync(ula);
        await ui.Field("IPv6 on").UncheckAsync();
        await ui.Save("IPv6");
        stored = (await fixture.Api.GetJson("/api/settings"))["ipv6"]!;
        Assert.Equal(60, (int)stored["prefixHint"]!);
        Assert.False((bool)stored["enabled"]!);
        Assert.Equal(ula, (string)stored["ula"]!);
        await Expect(panel).ToContainTextAsync("Switched off");
        await ui.Screenshot("internet-off");
        Assert.Empty(ui.Problems);
    }
}
