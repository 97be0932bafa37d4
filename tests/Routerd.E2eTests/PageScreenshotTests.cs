using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>Every page at phone and desktop size, light and dark, saved under tests/results/e2e/
/// for people to look at; on the way, the checks that need a whole page: no script error, no CSP
/// violation, nothing wider than a phone's screen, and a keyboard reaching the navigation.</summary>
public sealed class PageScreenshotTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "screenshot-pass-1";
    static readonly (string Title, string Name)[] Pages = [("Internet", "internet"), ("Wi-Fi", "wifi"), ("Devices", "devices"), ("System", "system")];

    [Fact]
    public async Task Every_page_at_phone_and_desktop_size_in_light_and_dark()
    {
        await using (var first = await RouterUi.Open(fixture.Browser, RouterUi.Phone, "phone"))
        {
            await first.Screenshot("login");
            await first.LogIn("admin", "admin");
            // A refused new password: the message sits under the field it is about.
            await first.ChangeForcedPassword("admin", "admin");
            await Expect(first.Page.Locator("[data-field='new'] .field-error")).Not.ToBeEmptyAsync();
            await first.Screenshot("password-forced");
            await first.ChangeForcedPassword("admin", Password);
            await Expect(first.Heading).ToHaveTextAsync("Status");
            Assert.Empty(first.Problems);
        }
        foreach (var (size, prefix, scheme) in new[]
        {
            (RouterUi.Phone, "phone", ColorScheme.Light), (RouterUi.Desktop, "desktop", ColorScheme.Light),
            (RouterUi.Phone, "phone-dark", ColorScheme.Dark), (RouterUi.Desktop, "desktop-dark", ColorScheme.Dark),
        })
            await EveryPage(size, prefix, scheme);
    }

    async Task EveryPage(ViewportSize size, string prefix, ColorScheme scheme)
    {
        await using var ui = await RouterUi.Open(fixture.Browser, size, prefix, scheme);
        if (prefix != "phone") await ui.Screenshot("login");
        await ui.LogIn("admin", Password);
        await Expect(ui.Heading).ToHaveTextAsync("Status");
        // A few readings of the counters, so the graph has a line to show.
        await Expect(ui.Page.Locator(".graph polyline.down")).ToHaveAttributeAsync("points", new Regex(@"^\S+ \S+ \S+"), new() { Timeout = 20_000 });
        await ui.Screenshot("status");
        // Keyboard: from the top, the first Tab reaches the skip link, the next the navigation's real links.
        await ui.Page.EvaluateAsync("() => document.activeElement?.blur()");
        await ui.Page.Keyboard.PressAsync("Tab");
        await Expect(ui.Page.Locator(":focus")).ToHaveTextAsync("Skip to content");
        await ui.Page.Keyboard.PressAsync("Tab");
        await Expect(ui.Page.Locator(":focus")).ToHaveAttributeAsync("href", "#/status");
        await AssertFitsWidth(ui, size, "status");
        foreach (var (title, name) in Pages)
        {
            await ui.Go(title);
            if (name == "devices") await Expect(ui.Page.Locator("li.device").First).ToBeVisibleAsync();
            await ui.Screenshot(name);
            await AssertFitsWidth(ui, size, name);
        }
        Assert.Empty(ui.Problems);
    }

    /// <summary>Nothing sideways-scrolls on a phone (the navigation strip may, by design).</summary>
    internal static async Task AssertFitsWidth(RouterUi ui, ViewportSize size, string page)
    {
        int width = await ui.Page.EvaluateAsync<int>("() => document.querySelector('main').scrollWidth");
        Assert.True(width <= size.Width, $"{page}: the page is {width} px wide on a {size.Width} px screen");
    }
}
