using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Routerd.Lab;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>The owner's tools in the browser (issue 23): a ping, a refused host and a DNS lookup
/// run by the router, the log viewer with its filter and download, the time zone and the clock's
/// state (no time service in the lab: the page says so), and the Wi-Fi QR codes (the main and the
/// guest network's), which zbarimg reads back from a screenshot as the exact WIFI: text.</summary>
public sealed class ToolsUiTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "tools-owner-pass-7";
    // Every character the URI escapes, in the name and in the key.
    const string Ssid = "Home;Net,2:\"x\"\\";
    const string Key = "Kq7;Zebra,Lamp:\"93\"\\ok";
    const string ExpectedUri = "WIFI:T:WPA;S:Home\\;Net\\,2\\:\\\"x\\\"\\\\;P:Kq7\\;Zebra\\,Lamp\\:\\\"93\\\"\\\\ok;;";

    static bool signedUp;

    async Task<RouterUi> Open(ViewportSize size, string prefix, ColorScheme scheme = ColorScheme.Light)
    {
        if (!signedUp)
        {
            signedUp = true;
            await using var first = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Phone, "tools-first", Password);
        }
        var ui = await RouterUi.Open(fixture.Browser, size, prefix, scheme);
        await ui.LogIn("admin", Password);
        await Expect(ui.Heading).ToHaveTextAsync("Status");
        return ui;
    }

    [Fact]
    public async Task Tests_logs_and_time_on_the_tools_page_at_phone_and_desktop_size()
    {
        foreach (var (size, prefix, scheme) in new[] { (RouterUi.Phone, "tools-phone", ColorScheme.Light), (RouterUi.Desktop, "tools-desktop", ColorScheme.Dark) })
        {
            await using var ui = await Open(size, prefix, scheme);
            await ui.Go("Tools");
            var test = ui.Form("Test the connection");

            // A host that would be an option is refused at its field; nothing runs.
            await test.GetByLabel("Name or address", new() { Exact = true }).FillAsync("-c1000");
            await test.GetByRole(AriaRole.Button, new() { Name = "Run test" }).ClickAsync();
            await Expect(test.Locator("[data-field='host'] .field-error")).ToContainTextAsync("must not begin with '-'");

            await test.GetByLabel("Name or address", new() { Exact = true }).FillAsync(LabAddresses.Isp);
            await test.GetByRole(AriaRole.Button, new() { Name = "Run test" }).ClickAsync();
            await Expect(ui.Page.GetByTestId("tool-summary")).ToContainTextAsync($"{LabAddresses.Isp} answered 4 of 4 pings", new() { Timeout = 30_000 });
            await Expect(ui.Page.Locator("pre.tool-output")).ToContainTextAsync("4 packets transmitted, 4 received");
            await ui.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
            await ui.Screenshot("ping");

            await test.GetByLabel("Test", new() { Exact = true }).SelectOptionAsync("lookup");
            await test.GetByLabel("Name or address", new() { Exact = true }).FillAsync("router.lan");
            await test.GetByRole(AriaRole.Button, new() { Name = "Run test" }).ClickAsync();
            await Expect(ui.Page.GetByTestId("tool-summary")).ToContainTextAsync($"router.lan is {LabAddresses.RouterLan}");

            // The log: routerd's own start line, then only errors (whatever they are, each says so).
            var filter = ui.Form("Log filter");
            await Expect(ui.Page.Locator("ol.log-lines li").First).ToBeVisibleAsync();
            await filter.GetByLabel("From", new() { Exact = true }).SelectOptionAsync("routerd");
            await filter.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
            await Expect(ui.Page.Locator("ol.log-lines li:not([data-source='routerd'])")).ToHaveCountAsync(0);
            await Expect(ui.Page.Locator("ol.log-lines")).ToContainTextAsync("routerd ready on board");
            await filter.GetByLabel("Show", new() { Exact = true }).SelectOptionAsync("error");
            await filter.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
            await Expect(ui.Page.Locator("ol.log-lines")).Not.ToContainTextAsync("routerd ready on board");
            await Expect(ui.Page.Locator("ol.log-lines li:not(.error)")).ToHaveCountAsync(0);
            await filter.GetByLabel("Show", new() { Exact = true }).SelectOptionAsync("info");
            await filter.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
            await Expect(ui.Page.Locator("ol.log-lines")).ToContainTextAsync("routerd ready on board");
            var download = await ui.Page.RunAndWaitForDownloadAsync(() => filter.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
            Assert.Matches(@"^router-log-\d{12}\.txt$", download.SuggestedFilename);
            string saved = await File.ReadAllTextAsync(await download.PathAsync());
            Assert.Contains(" routerd info ", saved);

            // Time: the lab has no time service, and the page says so; a zone that does not exist is refused at its field.
            await Expect(ui.Page.GetByTestId("clock-state")).ToContainTextAsync("No time service runs on this router");
            var time = ui.Form("Time zone");
            await time.GetByLabel("Time zone", new() { Exact = true }).FillAsync("Mars/Olympus_Mons");
            await time.GetByRole(AriaRole.Button, new() { Name = "Save time zone" }).ClickAsync();
            await Expect(time.Locator("[data-field='time.zone'] .field-error")).ToContainTextAsync("is not a time zone this router knows");
            string zone = prefix == "tools-phone" ? "Europe/Berlin" : "America/New_York";
            await ui.Form("Time zone").GetByLabel("Time zone", new() { Exact = true }).FillAsync(zone);
            await ui.Form("Time zone").GetByRole(AriaRole.Button, new() { Name = "Save time zone" }).ClickAsync();
            var offset = TimeZoneInfo.FindSystemTimeZoneById(zone).GetUtcOffset(DateTimeOffset.UtcNow);
            await Expect(ui.Page.GetByTestId("router-time")).ToContainTextAsync($"({zone}, UTC{(offset < TimeSpan.Zero ? '-' : '+')}{offset:hh\\:mm})");
            Assert.Equal(zone, (string?)(await fixture.Api.GetJson("/api/settings"))["time"]!["zone"]);
            await ui.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
            await ui.Screenshot("tools");
            await PageScreenshotTests.AssertFitsWidth(ui, size, "tools");
            Assert.Empty(ui.Problems);
        }
    }

    [Fact]
    public async Task The_wifi_qr_code_decodes_to_the_join_text_and_the_key_shows_only_when_asked()
    {
        var settings = await fixture.Api.GetJson("/api/settings");
        settings["wifi"]!["ssid"] = Ssid;
        settings["wifi"]!["passphrase"] = Key;
        using (var put = await fixture.Api.Put("/api/settings", settings))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        foreach (var (size, prefix) in new[] { (RouterUi.Phone, "qr-phone"), (RouterUi.Desktop, "qr-desktop") })
        {
            await using var ui = await Open(size, prefix);
            var requests = new List<string>();
            ui.Page.Request += (_, r) => requests.Add(r.Url);
            await ui.Go("Wi-Fi");
            // The key is in the page only after the owner asks for it, and only with the session's CSRF token.
            Assert.DoesNotContain(Key, await ui.Page.ContentAsync());
            await AssertJoinNeedsCsrf(ui, "/api/wifi/join", Key);
            // The main network's section (the guest network has its own, further down).
            var section = ui.Page.GetByRole(AriaRole.Region, new() { Name = "Join with a QR code", Exact = true });
            var code = await ShowQr(section, Ssid, Key);
            await ui.Page.EvaluateAsync("() => window.scrollTo(0, 0)"); // the sticky header stays at the top of the full-page shot
            await ui.Screenshot("wifi-qr");

            await AssertDrawnHere(ui, code, $"{prefix}-code.png", ExpectedUri, requests, size);
        }
        // The join text the API gives is the one decoded.
        using var join = await fixture.Api.Post("/api/wifi/join");
        Assert.Equal(ExpectedUri, (string?)JsonNode.Parse(await join.Content.ReadAsStringAsync())!["uri"]);
    }

    [Fact]
    public async Task The_guest_network_is_set_in_its_section_and_its_qr_code_decodes_to_its_join_text()
    {
        const string guestSsid = "Guests;1";
        const string guestKey = "Visit:or,key\"9";
        const string guestUri = "WIFI:T:WPA;S:Guests\\;1;P:Visit\\:or\\,key\\\"9;;";
        foreach (var (size, prefix, scheme) in new[] { (RouterUi.Desktop, "guest-desktop", ColorScheme.Light), (RouterUi.Phone, "guest-phone", ColorScheme.Dark) })
        {
            await using var ui = await Open(size, prefix, scheme);
            var requests = new List<string>();
            ui.Page.Request += (_, r) => requests.Add(r.Url);
            await ui.Go("Wi-Fi");
            var guest = ui.Form("Guest network");
            await guest.GetByLabel("Guest network on").CheckAsync();
            await guest.GetByLabel("Guest network name (SSID)").FillAsync(guestSsid);
            // Every mistake at once, each at its field: an address in the LAN's subnet, and (on the
            // first run, before any key was stored) no key while the network is being switched on.
            await guest.GetByLabel("Guest network address").FillAsync("192.168.1.5/24");
            await guest.GetByRole(AriaRole.Button, new() { Name = "Save guest network" }).ClickAsync();
            await Expect(guest.Locator("[data-field='wifi.guest.address'] .field-error")).ToContainTextAsync("overlaps the LAN");
            if (prefix == "guest-desktop")
                await Expect(guest.Locator("[data-field='wifi.guest.passphrase'] .field-error")).ToContainTextAsync("is required");
            await guest.GetByLabel("Guest network address").FillAsync("192.168.2.1/24");
            await guest.GetByLabel("Guest password").FillAsync(guestKey);
            await guest.GetByRole(AriaRole.Button, new() { Name = "Save guest network" }).ClickAsync();
            await Expect(guest.Locator(".form-status")).ToHaveTextAsync(new Regex("^Saved"));
            await Expect(guest.Locator("[data-field='wifi.guest.address'] .field-error")).ToBeHiddenAsync();

            // Stored as typed; the key is write-only: never in the settings, never in the page until asked.
            var stored = (await fixture.Api.GetJson("/api/settings"))["wifi"]!["guest"]!;
            Assert.Equal((true, guestSsid, "192.168.2.1/24"), ((bool)stored["enabled"]!, (string?)stored["ssid"], (string?)stored["address"]));
            Assert.Null(stored["passphrase"]);
            Assert.DoesNotContain(guestKey, await ui.Page.ContentAsync());
            await AssertJoinNeedsCsrf(ui, "/api/wifi/guest/join", guestKey);

            var section = ui.Page.GetByRole(AriaRole.Region, new() { Name = "Join the guest network with a QR code", Exact = true });
            var code = await ShowQr(section, guestSsid, guestKey);
            // The main network's code stays hidden: only the one asked for is drawn.
            await Expect(ui.Page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("^QR code to join") })).ToHaveCountAsync(1);
            await ui.Page.EvaluateAsync("() => window.scrollTo(0, 0)"); // the sticky header stays at the top of the full-page shot
            await ui.Screenshot("wifi-guest");

            await AssertDrawnHere(ui, code, $"{prefix}-code.png", guestUri, requests, size);
        }
        // The API's join text for the guest network is the decoded one.
        using var join = await fixture.Api.Post("/api/wifi/guest/join");
        Assert.Equal(guestUri, (string?)JsonNode.Parse(await join.Content.ReadAsStringAsync())!["uri"]);
    }

    /// <summary>A join route called by the page without the session's CSRF token (as another site's
    /// script would) is refused, and the answer does not hold the key.</summary>
    static async Task AssertJoinNeedsCsrf(RouterUi ui, string route, string key)
    {
        string forged = await ui.Page.EvaluateAsync<string>($"async () => {{ const r = await fetch('{route}', {{ method: 'POST' }}); return `${{r.status}} ${{await r.text()}}`; }}");
        Assert.StartsWith("403 ", forged);
        Assert.DoesNotContain(key, forged);
    }

    /// <summary>zbarimg reads <paramref name="uri"/> from the drawn code; the page fetched nothing but
    /// the router (the encoder qr.js among it), fits the width and logged no problem.</summary>
    async Task AssertDrawnHere(RouterUi ui, ILocator code, string file, string uri, List<string> requests, ViewportSize size)
    {
        string png = Path.Combine(fixture.Lab.Dir, file);
        await code.ScreenshotAsync(new() { Path = png });
        Assert.Equal(uri, Decode(png));
        Assert.All(requests, u => Assert.StartsWith(RouterUi.Url, u));
        Assert.Contains(requests, u => u.EndsWith("/qr.js", StringComparison.Ordinal));
        await PageScreenshotTests.AssertFitsWidth(ui, size, "wifi");
        Assert.Empty(ui.Problems);
    }

    /// <summary>Asks a QR section for its code: the code appears named after the network, and the
    /// key is in the page but hidden until "Show password". Returns the code's image.</summary>
    static async Task<ILocator> ShowQr(ILocator section, string ssid, string key)
    {
        await section.GetByRole(AriaRole.Button, new() { Name = "Show the QR code" }).ClickAsync();
        var code = section.GetByRole(AriaRole.Img, new() { Name = $"QR code to join {ssid}", Exact = true });
        await Expect(code).ToBeVisibleAsync();
        var shown = section.GetByTestId("wifi-key");
        await Expect(shown).ToBeHiddenAsync();
        await section.GetByRole(AriaRole.Button, new() { Name = "Show password" }).ClickAsync();
        await Expect(shown).ToHaveTextAsync(key);
        return code;
    }

    /// <summary>zbarimg (zbar-tools, PKGS_E2E) reads the code from the screenshot; its text, as decoded.</summary>
    static string Decode(string png)
    {
        var psi = new ProcessStartInfo("zbarimg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--raw", "-q", png }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("zbarimg did not start (install zbar-tools)");
        string text = p.StandardOutput.ReadToEnd();
        p.WaitForExit(30_000);
        Assert.True(p.ExitCode == 0, $"zbarimg found no QR code in {png} (exit {p.ExitCode}): {p.StandardError.ReadToEnd()}");
        return text.EndsWith('\n') ? text[..^1] : text;
    }
}
