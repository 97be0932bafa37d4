using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>axe-core, the accessibility engine (Deque.AxeCore.Playwright: loaded into the page by the
/// test, never shipped in the firmware), on every page as an owner reaches it — the login, the
/// forced password change, then each page of the navigation in light and dark (contrast differs) —
/// with each page's folds opened, so what they hold is checked too. A serious or critical violation
/// fails the test with the rule, its help text and where it is.</summary>
public sealed class AccessibilityTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "axe-check-pass-1";
    static readonly string[] Pages = ["Status", "Internet", "Wi-Fi", "Devices", "Port forwarding", "System", "Tools"];

    [Fact]
    public async Task No_page_has_a_serious_or_critical_violation_in_light_or_dark()
    {
        var found = new List<string>();
        int checkedPages = 0;
        async Task Check(RouterUi ui, string page)
        {
            var result = await ui.Page.RunAxe();
            checkedPages++;
            foreach (var v in result.Violations.Where(v => v.Impact is "serious" or "critical"))
                found.Add($"{page}: {v.Id} ({v.Impact}): {v.Help}: " +
                    string.Join("; ", v.Nodes.Take(3).Select(n => $"{n.Target} {n.Html}")));
        }

        await using (var first = await RouterUi.Open(fixture.Browser, RouterUi.Desktop, "axe"))
        {
            await Check(first, "login");
            await first.LogIn("admin", "admin");
            await Expect(first.Page.GetByLabel("New password", new() { Exact = true })).ToBeVisibleAsync();
            await Check(first, "forced password change");
            await first.ChangeForcedPassword("admin", Password);
            await Expect(first.Heading).ToHaveTextAsync("Status");
        }
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await using var ui = await RouterUi.Open(fixture.Browser, RouterUi.Desktop, $"axe-{scheme}".ToLowerInvariant(), scheme);
            await ui.LogIn("admin", Password);
            await Expect(ui.Heading).ToHaveTextAsync("Status");
            foreach (var page in Pages)
            {
                await ui.Go(page);
                if (page == "Devices") await Expect(ui.Page.Locator("li.device").First).ToBeVisibleAsync();
                // What the page loads from the API has arrived once nothing says "Loading"; then
                // every fold is opened so its content is in the document too.
                await Expect(ui.Page.GetByText("Loading", new() { Exact = false })).ToHaveCountAsync(0);
                foreach (var summary in await ui.Page.Locator("main details:not([open]) > summary").AllAsync())
                    if (await summary.IsVisibleAsync()) await summary.ClickAsync();
                await ui.Page.WaitForTimeoutAsync(500);
                await Check(ui, $"{page} ({scheme.ToString().ToLowerInvariant()})");
            }
        }
        Assert.Equal(2 + 2 * Pages.Length, checkedPages);
        Assert.True(found.Count == 0, $"{found.Count} serious or critical accessibility violations:\n" + string.Join("\n", found));
    }
}
