using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>Apply with rollback, from the browser: a new router address answers 202, the page
/// explains the countdown and follows to the new address, and the change is kept only when it is
/// confirmed from there.</summary>
public sealed class RollbackTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "rollback-pass-3";
    const string NewAddress = "192.168.2.1";

    [Fact]
    public async Task A_new_router_address_is_followed_and_confirmed_from_there()
    {
        await using var ui = await RouterUi.Open(fixture.Browser, RouterUi.Phone, "rollback");
        await ui.LogIn("admin", "admin");
        await ui.ChangeForcedPassword("admin", Password);
        await Expect(ui.Heading).ToHaveTextAsync("Status");

        await ui.Go("System");
        await ui.Field("Router address with prefix").FillAsync($"{NewAddress}/24");
        await ui.Button("Change address").ClickAsync();
        var dialog = ui.Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("60 seconds");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Change address" }).ClickAsync();
        await Expect(ui.Heading).ToHaveTextAsync("Moving to the new address");
        await ui.Screenshot("moving");
        var pending = await fixture.Api.GetJson("/api/settings/pending");
        Assert.True((bool?)pending["pending"], pending.ToJsonString());

        // The page moves itself; the session cookie belongs to the old address, so log in again.
        await ui.Page.WaitForURLAsync(new Regex($@"^http://{Regex.Escape(NewAddress)}/"), new() { Timeout = 20_000 });
        await ui.LogIn("admin", Password);
        await Expect(ui.Heading).ToHaveTextAsync("Status");
        var banner = ui.Page.Locator("#banner");
        await Expect(banner).ToContainTextAsync("Unless you confirm");
        await ui.Screenshot("confirm");
        await banner.GetByRole(AriaRole.Button, new() { Name = "Keep the new address" }).ClickAsync();
        await Expect(banner).ToContainTextAsync($"the router keeps {NewAddress}");

        Assert.False((bool?)(await fixture.Api.GetJson("/api/settings/pending"))["pending"]);
        Assert.Equal($"{NewAddress}/24", (string?)(await fixture.Api.GetJson("/api/settings"))["lan"]!["address"]);
        Assert.Empty(ui.Problems);
    }
}
