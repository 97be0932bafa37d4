using Microsoft.Playwright;
using Routerd.Lab;
using static Microsoft.Playwright.Assertions;

namespace Routerd.Browser;

/// <summary>One browser context (its own cookies) on the router's web UI, with the steps a person
/// takes, found the way a person finds them: by labels and button names. Everything the page
/// should never do (a script error, a CSP violation, an alert) is collected in <see cref="Problems"/>.</summary>
public sealed class RouterUi : IAsyncDisposable
{
    public const string Url = $"http://{LabAddresses.RouterLan}/";

    public static readonly ViewportSize Phone = new() { Width = 375, Height = 667 };
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };

    readonly IBrowserContext context;
    readonly List<string> problems = [];
    readonly string shotPrefix;

    public IPage Page { get; }
    public IReadOnlyList<string> Problems => problems;

    RouterUi(IBrowserContext context, IPage page, string shotPrefix)
    {
        this.context = context;
        Page = page;
        this.shotPrefix = shotPrefix;
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && m.Text.Contains("Content Security Policy", StringComparison.Ordinal)) problems.Add($"CSP violation: {m.Text}");
        };
        page.PageError += (_, e) => problems.Add($"script error: {e}");
        page.Dialog += async (_, d) =>
        {
            problems.Add($"unexpected {d.Type} dialog: {d.Message}");
            await d.DismissAsync();
        };
    }

    /// <summary>A fresh context (no cookies) at <paramref name="size"/>; screenshots are named
    /// <paramref name="shotPrefix"/>-page.png.</summary>
    public static async Task<RouterUi> Open(IBrowser browser, ViewportSize size, string shotPrefix, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = size, ColorScheme = scheme, AcceptDownloads = true });
        context.SetDefaultTimeout(20_000);
        // Expect(...) keeps its own default (5 s): a page module loading on a 2-core machine busy
        // with a NativeAOT publish has taken longer (the bench's sweep saw Status where Internet was due).
        SetDefaultExpectTimeout(20_000);
        var page = await context.NewPageAsync();
        var ui = new RouterUi(context, page, shotPrefix);
        await page.GotoAsync(Url);
        return ui;
    }

    /// <summary>A fresh router's first visit: admin/admin, then the forced change to <paramref name="password"/>.</summary>
    public static async Task<RouterUi> OpenFirstTime(IBrowser browser, ViewportSize size, string shotPrefix, string password)
    {
        var ui = await Open(browser, size, shotPrefix);
        await ui.LogIn("admin", "admin");
        await ui.ChangeForcedPassword("admin", password);
        await Expect(ui.Heading).ToHaveTextAsync("Status");
        return ui;
    }

    public ILocator Heading => Page.Locator("main h1");
    public ILocator Field(string label) => Page.GetByLabel(label, new() { Exact = true });
    public ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });
    public ILocator Form(string label) => Page.GetByRole(AriaRole.Form, new() { Name = label, Exact = true });

    public async Task LogIn(string username, string password)
    {
        await Expect(Heading).ToHaveTextAsync("Log in");
        await Field("Username").FillAsync(username);
        await Field("Password").FillAsync(password);
        await Button("Log in").ClickAsync();
    }

    public async Task ChangeForcedPassword(string current, string next)
    {
        await Expect(Heading).ToHaveTextAsync("Choose your own password");
        await Field("Current password").FillAsync(current);
        await Field("New password").FillAsync(next);
        await Field("New password again").FillAsync(next);
        await Button("Change password").ClickAsync();
    }

    /// <summary>Opens a page from the navigation, as a person would, and waits until it has loaded.</summary>
    public async Task Go(string title)
    {
        await Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = title, Exact = true }).ClickAsync();
        await Expect(Heading).ToHaveTextAsync(title);
    }

    /// <summary>The titles of every page the navigation links to, in its order.</summary>
    public async Task<IReadOnlyList<string>> PageTitles() =>
        (await Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link).AllInnerTextsAsync()).Select(t => t.Trim()).ToList();

    /// <summary>Waits until what the page loads from the API has arrived: nothing says "Loading"
    /// (and the device list has its devices).</summary>
    public async Task Loaded(string title)
    {
        if (title == "Devices") await Expect(Page.Locator("li.device").First).ToBeVisibleAsync();
        await Expect(Page.GetByText("Loading", new() { Exact = false })).ToHaveCountAsync(0);
    }

    /// <summary>Opens every closed fold of the page, so what it holds is on screen too.</summary>
    public async Task OpenFolds()
    {
        foreach (var summary in await Page.Locator("main details:not([open]) > summary").AllAsync())
            if (await summary.IsVisibleAsync()) await summary.ClickAsync();
        await Page.WaitForTimeoutAsync(500);
    }

    /// <summary>System → Router address, confirmed in the dialog that explains the rollback.</summary>
    public async Task ChangeRouterAddress(string addressWithPrefix)
    {
        await Go("System");
        await Field("Router address with prefix").FillAsync(addressWithPrefix);
        await Button("Change address").ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("goes back to");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Change address" }).ClickAsync();
    }

    /// <summary>Presses the form's Save button and waits for the router to have accepted it.</summary>
    public async Task Save(string form)
    {
        await Form(form).GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(Form(form).Locator(".form-status")).ToHaveTextAsync("Saved.");
    }

    /// <summary>A fetch from inside the page (its cookie, the phone's namespace): the body as text.</summary>
    public Task<string> Fetch(string path) =>
        Page.EvaluateAsync<string>("async path => { const r = await fetch(path, { cache: 'no-store' }); return `${r.status} ${await r.text()}`; }", path);

    public async Task Screenshot(string name)
    {
        string dir = Path.Combine(RouterdCommand.RepoRoot(), "tests", "results", "e2e");
        Directory.CreateDirectory(dir);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"{shotPrefix}-{name}.png"), FullPage = true });
    }

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
