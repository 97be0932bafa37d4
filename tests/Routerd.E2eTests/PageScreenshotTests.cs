using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>Every page at phone and desktop size, light and dark, saved under tests/results/e2e/
/// for people to look at, each twice: as it opens, and with everything it can show opened (its
/// folds, the Internet page's connection detection, PPPoE and fixed-IPv6 fields, the Wi-Fi page's two QR codes), saved as
/// NAME-open.png. On the way, the checks that need a whole page: no script error, no CSP
/// violation, nothing wider than the screen, and a keyboard reaching the navigation.</summary>
public sealed class PageScreenshotTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "screenshot-pass-1";
    /// <summary>The longest names the router takes (32 bytes, no space to break at): what a phone's
    /// screen must still hold, in the Wi-Fi form and under each QR code.</summary>
    const string Ssid = "HomeNetworkWithAVeryLongName5GHz";
    const string GuestSsid = "GuestNetworkWithAVeryLongName5Gz";
    /// <summary>The pages an owner has today: the test goes through what the navigation offers, and
    /// must have met each of these on the way.</summary>
    static readonly string[] Pages = ["Status", "Internet", "Wi-Fi", "Devices", "Port forwarding", "System", "Tools"];

    [Fact]
    public async Task Every_page_at_phone_and_desktop_size_in_light_and_dark()
    {
        await using (var first = await RouterUi.Open(fixture.Browser, RouterUi.Phone, "phone"))
        {
            await first.Screenshot("login");
            await AssertFitsWidth(first, RouterUi.Phone, "login");
            await first.LogIn("admin", "admin");
            // A refused new password: the message sits under the field it is about.
            await first.ChangeForcedPassword("admin", "admin");
            await Expect(first.Page.Locator("[data-field='new'] .field-error")).Not.ToBeEmptyAsync();
            await first.Screenshot("password-forced");
            await AssertFitsWidth(first, RouterUi.Phone, "password-forced");
            await first.ChangeForcedPassword("admin", Password);
            await Expect(first.Heading).ToHaveTextAsync("Status");
            Assert.Empty(first.Problems);
        }
        // Both networks with a key and the longest names, so both QR codes can be drawn.
        var settings = await fixture.Api.GetJson("/api/settings");
        settings["wifi"]!["ssid"] = Ssid;
        settings["wifi"]!["passphrase"] = "screenshot-wifi-key";
        settings["wifi"]!["guest"] = new JsonObject { ["enabled"] = true, ["ssid"] = GuestSsid, ["passphrase"] = "screenshot-guest-key", ["address"] = "192.168.2.1/24" };
        using (var put = await fixture.Api.Put("/api/settings", settings))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

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
        // Keyboard: from the top, the first Tab reaches the skip link, the next the navigation's real links.
        await ui.Page.EvaluateAsync("() => document.activeElement?.blur()");
        await ui.Page.Keyboard.PressAsync("Tab");
        await Expect(ui.Page.Locator(":focus")).ToHaveTextAsync("Skip to content");
        await ui.Page.Keyboard.PressAsync("Tab");
        await Expect(ui.Page.Locator(":focus")).ToHaveAttributeAsync("href", "#/status");
        var misfits = new List<string>();
        var titles = await ui.PageTitles();
        Assert.Empty(Pages.Except(titles));
        foreach (var title in titles)
        {
            await ui.Go(title);
            await ui.Loaded(title);
            string name = title.ToLowerInvariant().Replace("-", "").Replace(' ', '-');
            await ui.Screenshot(name);
            misfits.AddRange(await FitProblemsOf(ui, size, name));
            await OpenEverything(ui, title);
            await ui.Page.EvaluateAsync("() => window.scrollTo(0, 0)"); // the sticky header stays at the top of the full-page shot
            await ui.Screenshot($"{name}-open");
            misfits.AddRange(await FitProblemsOf(ui, size, $"{name} with everything open"));
        }
        Assert.True(misfits.Count == 0, $"{misfits.Count} things do not fit ({prefix}):\n" + string.Join("\n", misfits));
        Assert.Empty(ui.Problems);
    }

    /// <summary>What a page shows only when asked, shown: the Internet page's detection answer, PPPoE fields (VLAN ID)
    /// and fixed IPv6 fields, the Wi-Fi page's QR codes (main and guest), and every page's folds.
    /// Nothing is saved.</summary>
    static async Task OpenEverything(RouterUi ui, string title)
    {
        if (title == "Internet")
        {
            // The detection's answer (no PPPoE server in this lab: it offers Automatic).
            await ui.Form("Internet connection").GetByRole(AriaRole.Button, new() { Name = "Detect my connection type", Exact = true }).ClickAsync();
            await Expect(ui.Page.GetByTestId("detect-result")).ToContainTextAsync("No PPPoE server answered", new() { Timeout = 15_000 });
            await ui.Form("Internet connection").GetByRole(AriaRole.Radio, new() { Name = "PPPoE" }).CheckAsync();
            await Expect(ui.Field("VLAN ID (only if your provider requires one)")).ToBeVisibleAsync();
            await ui.Form("IPv6").GetByRole(AriaRole.Radio, new() { Name = "Fixed" }).CheckAsync();
            await Expect(ui.Field("Routed prefix")).ToBeVisibleAsync();
        }
        if (title == "Wi-Fi")
        {
            foreach (var (section, ssid) in new[] { ("Join with a QR code", Ssid), ("Join the guest network with a QR code", GuestSsid) })
            {
                var region = ui.Page.GetByRole(AriaRole.Region, new() { Name = section, Exact = true });
                await region.GetByRole(AriaRole.Button, new() { Name = "Show the QR code", Exact = true }).ClickAsync();
                await Expect(region.GetByRole(AriaRole.Img, new() { Name = $"QR code to join {ssid}", Exact = true })).ToBeVisibleAsync();
                await region.GetByRole(AriaRole.Button, new() { Name = "Show password", Exact = true }).ClickAsync();
                await Expect(region.GetByTestId("wifi-key")).ToBeVisibleAsync();
            }
        }
        await ui.OpenFolds();
    }

    /// <summary>Nothing sideways-scrolls, sticks out or is cut off: the document is no wider than
    /// the window; every form control, link and figure that is shown lies wholly inside it; no box's
    /// content is wider than the box (a name without a space to break at, a navigation label wider
    /// than its cell: text that runs over its neighbours), except where the box scrolls by design
    /// (a field's own text, a log); and each list of choices shows its longest choice whole.</summary>
    internal static async Task AssertFitsWidth(RouterUi ui, ViewportSize size, string page)
    {
        var problems = await FitProblemsOf(ui, size, page);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>What <see cref="AssertFitsWidth"/> finds, each line naming the page: a sweep over
    /// every page reports all of them at once.</summary>
    static async Task<List<string>> FitProblemsOf(RouterUi ui, ViewportSize size, string page)
    {
        var widths = await ui.Page.EvaluateAsync<int[]>("() => [document.scrollingElement.scrollWidth, window.innerWidth]");
        var (width, window) = (widths[0], widths[1]);
        var problems = new List<string>();
        if (width > window) problems.Add($"{page}: the page is {width} px wide in a {window} px window ({size.Width} px screen)");
        problems.AddRange((await ui.Page.EvaluateAsync<string[]>(FitProblems)).Select(p => $"{page} ({window} px): {p}"));
        return problems;
    }

    const string FitProblems = """
        () => {
          const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
          const name = e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''}` +
            ` "${(e.innerText || e.value || e.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 40)}"`;
          const problems = [];
          for (const e of document.querySelectorAll('input, select, textarea, button, summary, label, legend, a, figure, figcaption, svg, pre, table, img')) {
            if (!shown(e) || e.classList.contains('skip')) continue;   // the skip link waits off screen until focused
            const r = e.getBoundingClientRect();
            if (r.width > 0 && (r.left < -0.5 || r.right > window.innerWidth + 0.5))
              problems.push(`outside the window: ${name(e)} from ${Math.round(r.left)} to ${Math.round(r.right)} px`);
          }
          const fields = new Set(['INPUT', 'SELECT', 'TEXTAREA', 'OPTION']);
          for (const e of document.querySelectorAll('body *')) {
            if (fields.has(e.tagName) || e instanceof SVGElement || !shown(e)) continue;
            const style = getComputedStyle(e);
            if (style.display === 'inline' || style.overflowX !== 'visible') continue;
            // Only the innermost box whose content sticks out: its parents stick out because of it.
            if (e.scrollWidth > e.clientWidth + 1 && ![...e.children].some(c => c.scrollWidth > c.clientWidth + 1 && getComputedStyle(c).display !== 'inline'))
              problems.push(`content wider than its box: ${name(e)} is ${e.clientWidth} px, its content ${e.scrollWidth} px`);
          }
          const canvas = document.createElement('canvas').getContext('2d');
          for (const select of document.querySelectorAll('select')) {
            if (!shown(select)) continue;
            const style = getComputedStyle(select);
            canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
            // What the closed list has for text: its width less the padding and the arrow (about 1.5em).
            const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 1.5 * parseFloat(style.fontSize);
            for (const option of select.options)
              if (canvas.measureText(option.text).width > room)
                problems.push(`choice cut off: ${name(select)} has ${Math.round(room)} px for "${option.text}" (${Math.round(canvas.measureText(option.text).width)} px)`);
          }
          return problems;
        }
        """;
}
