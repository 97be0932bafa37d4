using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Routerd.Lab;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>The Internet page's "Detect my connection type" (issue 23) on a phone: with an access
/// concentrator answering on the WAN cable the page names it and what it offers (as text, even
/// when the name looks like markup) and "Use PPPoE" selects PPPoE without saving; with none
/// answering it says so and "Use Automatic (DHCP)" selects automatic. Each answer fits 375 px
/// and has no serious accessibility violation.</summary>
public sealed class WanDetectPageTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "wan-detect-page-1";
    const string Detect = "Detect my connection type";
    /// <summary>Text from the cable that would be markup if the page ever parsed it.</summary>
    static readonly PppoeServerOptions Server = new() { AcName = "bras-<b>7</b>", Services = ["internet", "iptv"] };

    [Fact]
    public async Task Detect_names_the_server_and_selects_pppoe_and_without_one_offers_automatic()
    {
        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Phone, "wan-detect", Password);
        await ui.Go("Internet");
        var form = ui.Form("Internet connection");
        var result = form.GetByTestId("detect-result");
        var pppoe = form.GetByRole(AriaRole.Radio, new() { Name = "PPPoE" });
        var automatic = form.GetByRole(AriaRole.Radio, new() { Name = "Automatic" });
        var username = form.GetByLabel("Username", new() { Exact = true });
        await Expect(automatic).ToBeCheckedAsync();

        using (var server = fixture.Lab.StartPppoeServer(Server))
        {
            await Task.Delay(300);
            Assert.False(server.HasExited, $"pppoe-server exited: {server.Output}");
            var button = form.GetByRole(AriaRole.Button, new() { Name = Detect, Exact = true });
            await button.ClickAsync();
            // While the probe listens, the button says it is working and cannot be pressed again.
            await Expect(form.GetByRole(AriaRole.Button, new() { Name = "Detecting…", Exact = false })).ToHaveAttributeAsync("aria-disabled", "true");
            await Expect(result).ToContainTextAsync("Your line answers PPPoE: bras-<b>7</b> offers internet and iptv.", new() { Timeout = 15_000 });
            await Expect(result.Locator("b")).ToHaveCountAsync(0);
            await Expect(result).ToContainTextAsync("enter the user name and password from your provider");
            await Expect(button).Not.ToHaveAttributeAsync("aria-disabled", "true");
            await Check(ui, "detect-pppoe");

            await result.GetByRole(AriaRole.Button, new() { Name = "Use PPPoE", Exact = true }).ClickAsync();
            await Expect(pppoe).ToBeCheckedAsync();
            await Expect(username).ToBeVisibleAsync();
            await Expect(username).ToBeFocusedAsync();
            await Expect(result).ToContainTextAsync("PPPoE is chosen");
        }
        // Chosen, not saved: the owner still has to enter the login and press Save.
        Assert.Equal("dhcp", (string)(await fixture.Api.GetJson("/api/settings"))["wan"]!["mode"]!);

        await form.GetByRole(AriaRole.Button, new() { Name = Detect, Exact = true }).ClickAsync();
        await Expect(result).ToContainTextAsync("No PPPoE server answered on the internet port", new() { Timeout = 15_000 });
        await Expect(result).ToContainTextAsync("DHCP");
        await Check(ui, "detect-dhcp");
        await result.GetByRole(AriaRole.Button, new() { Name = "Use Automatic (DHCP)", Exact = true }).ClickAsync();
        await Expect(automatic).ToBeCheckedAsync();
        await Expect(username).ToBeHiddenAsync();
        Assert.Empty(ui.Problems);
    }

    /// <summary>The answer on screen: saved for people to look at, inside 375 px, and no serious or
    /// critical axe violation in light mode.</summary>
    static async Task Check(RouterUi ui, string name)
    {
        await ui.Page.EvaluateAsync("() => window.scrollTo(0, 0)"); // the sticky header stays at the top of the full-page shot
        await ui.Screenshot(name);
        await PageScreenshotTests.AssertFitsWidth(ui, RouterUi.Phone, name);
        var axe = await ui.Page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}: {string.Join("; ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }
}
