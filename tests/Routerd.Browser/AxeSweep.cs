using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Routerd.Browser;

/// <summary>One serious or critical axe-core violation: the page it was on, the rule, its help text
/// and where (up to three elements).</summary>
public sealed record AxeFinding(string Page, string Rule, string Impact, string Help, string Where)
{
    public override string ToString() => $"{Page}: {Rule} ({Impact}): {Help}: {Where}";
}

/// <summary>What a sweep checked (one name per page and colour scheme) and what it found.</summary>
public sealed record AxeSweepResult(IReadOnlyList<string> Checked, IReadOnlyList<AxeFinding> Serious);

/// <summary>axe-core, the accessibility engine (Deque.AxeCore.Playwright: loaded into the page from
/// this assembly, never shipped in the firmware), on every page as an owner reaches it on a fresh
/// router: the login, the forced password change, then every page the navigation links to, in light
/// and dark (contrast differs), each with its folds opened so what they hold is checked too. The
/// browser tier asserts the result is empty; `bench webui` reports its count as axe_serious.</summary>
public static class AxeSweep
{
    /// <summary>Needs a router still at admin/admin; leaves it with <paramref name="password"/>.</summary>
    public static async Task<AxeSweepResult> EveryPage(IBrowser browser, string password)
    {
        var found = new List<AxeFinding>();
        var checkedPages = new List<string>();
        async Task Check(RouterUi ui, string page)
        {
            var result = await ui.Page.RunAxe();
            checkedPages.Add(page);
            foreach (var v in result.Violations.Where(v => v.Impact is "serious" or "critical"))
                found.Add(new(page, v.Id, v.Impact, v.Help, string.Join("; ", v.Nodes.Take(3).Select(n => $"{n.Target} {n.Html}"))));
        }

        await using (var first = await RouterUi.Open(browser, RouterUi.Desktop, "axe"))
        {
            await Check(first, "login");
            await first.LogIn("admin", "admin");
            await Expect(first.Page.GetByLabel("New password", new() { Exact = true })).ToBeVisibleAsync();
            await Check(first, "forced password change");
            await first.ChangeForcedPassword("admin", password);
            await Expect(first.Heading).ToHaveTextAsync("Status");
        }
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            string schemeName = scheme.ToString().ToLowerInvariant();
            await using var ui = await RouterUi.Open(browser, RouterUi.Desktop, $"axe-{schemeName}", scheme);
            await ui.LogIn("admin", password);
            await Expect(ui.Heading).ToHaveTextAsync("Status");
            // Every page the navigation offers, read from the page itself: a page added to the
            // shell is swept without anyone remembering to list it here.
            foreach (var page in await ui.PageTitles())
            {
                await ui.Go(page);
                await ui.Loaded(page);
                await ui.OpenFolds();
                await Check(ui, $"{page} ({schemeName})");
            }
        }
        return new(checkedPages, found);
    }
}
