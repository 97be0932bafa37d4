using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>The System page's firmware part in the lab, which runs routerd without an updater (no
/// A/B slots, no RAUC): the page says what runs and that updates are not available here, offers no
/// upload, and the upload path the page would use (XMLHttpRequest with the session's CSRF token) is
/// refused by the router with that same sentence before a byte is stored. The install itself is the
/// image tier's (tests/Routerd.ImageTests), on images that have slots.</summary>
public sealed class FirmwarePageTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "firmware-pass-3";

    [Fact]
    public async Task Without_an_updater_the_page_says_updates_are_not_available_and_offers_no_upload()
    {
        var status = await fixture.Api.GetJson("/api/firmware");
        Assert.False((bool?)status["available"]);
        string version = (string?)status["runningVersion"] ?? throw new InvalidOperationException("no runningVersion");
        string why = (string?)status["unavailable"] ?? throw new InvalidOperationException("no reason why updates are unavailable");
        Assert.StartsWith("Updates are not available on this system", why);

        foreach (var (size, prefix) in new[] { (RouterUi.Desktop, "desktop"), (RouterUi.Phone, "phone") })
        {
            await using var ui = await LoggedIn(size, $"firmware-{prefix}");
            await ui.Go("System");
            var panel = ui.Page.Locator("section.panel", new() { Has = ui.Page.GetByRole(AriaRole.Heading, new() { Name = "Firmware", Exact = true }) });
            await Expect(panel).ToContainTextAsync($"Running routerd {version}.");
            await Expect(panel.Locator(".notice.warn")).ToHaveTextAsync(why);
            await Expect(ui.Button("Upload update")).ToHaveCountAsync(0);
            await Expect(ui.Page.Locator("input[type=file][accept='.raucb']")).ToHaveCountAsync(0);
            await Expect(ui.Page.Locator("progress")).ToHaveCountAsync(0);
            await ui.Screenshot("system");

            if (prefix == "desktop")
            {
                // As far as an upload goes here: the page's own upload function (its module, so its
                // session's CSRF token) sends 4 MiB; the router refuses it with 404 and the same words.
                var answer = await ui.Page.EvaluateAsync<string[]>("""
                    async () => {
                      const api = await import('/api.js');
                      try {
                        await api.upload('/api/firmware', new Blob([new Uint8Array(4 << 20)]), () => {});
                        return ['accepted'];
                      } catch (e) { return [String(e.status), e.code ?? '', e.message]; }
                    }
                    """);
                Assert.Equal(["404", "firmware/UNSUPPORTED", why], answer);
                // Nothing changed: the router still has no job and says the same.
                var after = await fixture.Api.GetJson("/api/firmware");
                Assert.Equal("idle", (string?)after["job"]?["state"]);
                Assert.False((bool?)after["available"]);
            }
            Assert.Empty(ui.Problems);
        }
    }

    /// <summary>What the page says for each state of an update on a router that has slots. The lab
    /// has none, so here the browser's own route handler answers GET/POST /api/firmware with the
    /// shapes webui/API.md documents (nothing in routerd is faked; the router-side flow is the image
    /// tier's): a fall-back explained, a refused bundle in words, the writing's progress bar, the
    /// restart, and "Updated to X".</summary>
    [Fact]
    public async Task The_pages_words_for_each_update_state()
    {
        await using var ui = await LoggedIn(RouterUi.Desktop, "firmware-states");
        string status = Status(job: """{"state":"idle"}""",
            last: """{"state":"fell-back","version":"0.2.0","from":"0.1.0","message":"The update to 0.2.0 did not start correctly; the router went back to 0.1.0: routerd kept exiting at start."}""");
        string postAnswer = "";
        int postStatus = 0;
        long postBytes = -1;
        await ui.Page.RouteAsync("**/api/firmware*", async route =>
        {
            if (route.Request.Method == "GET")
                await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = status });
            else
            {
                postBytes = route.Request.PostDataBuffer?.Length ?? -1;
                await route.FulfillAsync(new() { Status = postStatus, ContentType = "application/json", Body = postAnswer });
            }
        });
        await ui.Go("System");
        var panel = ui.Page.Locator("section.panel", new() { Has = ui.Page.GetByRole(AriaRole.Heading, new() { Name = "Firmware", Exact = true }) });
        await Expect(panel).ToContainTextAsync("Running routerd 0.1.0 from slot A. It started correctly and is kept.");
        await Expect(panel).ToContainTextAsync("Slot B holds routerd 0.0.9");
        await Expect(panel.Locator(".notice.bad")).ToHaveTextAsync("The update to 0.2.0 did not start correctly; the router went back to 0.1.0: routerd kept exiting at start.");
        await ui.Screenshot("fell-back");

        // A bundle for another board: refused in words, nothing written.
        var bundle = new FilePayload { Name = "routerd-rpi4-0.2.0.raucb", MimeType = "application/octet-stream", Buffer = new byte[3 << 20] };
        await ui.Field("Update file").SetInputFilesAsync(bundle);
        (postStatus, postAnswer) = (400, """{"error":"this update is for 'routerd-rpi4', this router is 'routerd-x86-64'","code":"firmware/WRONG_BOARD","errors":[{"field":"bundle","message":"this update is for 'routerd-rpi4', this router is 'routerd-x86-64'"}]}""");
        await ui.Button("Upload update").ClickAsync();
        var refusal = panel.GetByRole(AriaRole.Alert).Filter(new() { HasText = "another kind of router" });
        await Expect(refusal).ToContainTextAsync("This update is for another kind of router. Nothing was written.");
        await Expect(refusal).ToContainTextAsync("This update is for 'routerd-rpi4', this router is 'routerd-x86-64'.");
        Assert.Equal(3 << 20, postBytes);
        await ui.Screenshot("refused");

        // Accepted: the writing's progress, then the restart.
        (postStatus, postAnswer) = (202, """{"state":"installing","version":"0.2.0","code":"firmware/ACCEPTED","message":"routerd 0.2.0 for routerd-x86-64, signature good"}""");
        status = Status(job: """{"state":"installing","version":"0.2.0","code":"firmware/ACCEPTED","message":"ok","progress":{"step":"writing","percent":40,"detail":"Copying image to rootfs.1"}}""");
        await ui.Button("Upload update").ClickAsync();
        await Expect(panel).ToContainTextAsync("Checked: routerd 0.2.0 for routerd-x86-64, signature good. Writing it to the other slot…");
        await Expect(panel).ToContainTextAsync("Writing routerd 0.2.0 to the other slot: 40 % (Copying image to rootfs.1)");
        await Expect(panel.Locator("progress")).ToHaveJSPropertyAsync("value", 40);
        await ui.Screenshot("writing");
        status = Status(job: """{"state":"installed","version":"0.2.0","code":"firmware/INSTALLED","message":"routerd 0.2.0 is written to the other slot; it runs after a reboot"}""");
        await Expect(ui.Button("Restart to run the update…")).ToBeVisibleAsync();
        await Expect(panel).ToContainTextAsync("routerd 0.2.0 is written to the other slot; it runs after a reboot.");
        await Expect(panel.Locator("progress")).ToBeHiddenAsync();
        await ui.Screenshot("installed");

        // After the reboot: updated.
        status = Status(job: """{"state":"idle"}""", running: "0.2.0", slot: "B", other: """{"slot":"A","version":"0.1.0","booted":false,"bootStatus":"good"}""",
            last: """{"state":"updated","version":"0.2.0","from":"0.1.0","message":"Updated to 0.2.0 (from 0.1.0)."}""");
        await ui.Page.ReloadAsync();
        await Expect(panel.Locator(".notice.ok")).ToHaveTextAsync("Updated to 0.2.0 (from 0.1.0).");
        await Expect(panel).ToContainTextAsync("Slot A holds routerd 0.1.0");
        await ui.Screenshot("updated");
        Assert.Empty(ui.Problems);
    }

    /// <summary>This class's tests share the fixture's router and run one after another: the first
    /// makes the forced password change, the others log in with the new password.</summary>
    static bool passwordChanged;

    async Task<RouterUi> LoggedIn(ViewportSize size, string shotPrefix)
    {
        if (!passwordChanged)
        {
            passwordChanged = true;
            return await RouterUi.OpenFirstTime(fixture.Browser, size, shotPrefix, Password);
        }
        var ui = await RouterUi.Open(fixture.Browser, size, shotPrefix);
        await ui.LogIn("admin", Password);
        await Expect(ui.Heading).ToHaveTextAsync("Status");
        return ui;
    }

    const string OtherSlot = """{"slot":"B","version":"0.0.9","booted":false,"bootStatus":"good","installed":"2026-12-01T10:00:00Z"}""";

    static string Status(string job, string? last = null, string running = "0.1.0", string slot = "A", string other = OtherSlot) =>
        $$"""{"runningVersion":"{{running}}","bootedSlot":"{{slot}}","bootCheck":"good","other":{{other}},"job":{{job}}{{(last is null ? "" : ",\"lastUpdate\":" + last)}},"available":true}""";
}
