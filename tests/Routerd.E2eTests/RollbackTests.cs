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
        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Phone, "rollback", Password);

        await ui.ChangeRouterAddress($"{NewAddress}/24");
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

/// <summary>The other way: nobody confirms, the router goes back by itself, the page says where,
/// the old address serves the UI again and the phone's lease still renews there.</summary>
public sealed class UnconfirmedRollbackTests(ShortRollbackFixture fixture) : IClassFixture<ShortRollbackFixture>
{
    const string Password = "rollback-pass-4";

    [Fact]
    public async Task An_unconfirmed_address_change_goes_back_and_the_old_address_serves_again()
    {
        var lab = fixture.Lab;
        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Phone, "rollback-unconfirmed", Password);
        await ui.ChangeRouterAddress("192.168.3.1/24");
        await ui.Page.WaitForURLAsync(new Regex(@"^http://192\.168\.3\.1/\?previous=192\.168\.1\.1"), new() { Timeout = 20_000 });
        await ui.LogIn("admin", Password);
        var banner = ui.Page.Locator("#banner");
        await Expect(banner).ToContainTextAsync("Unless you confirm");

        // Nobody confirms: the page says so when the time is up and points back to the old address.
        await Expect(banner).ToContainTextAsync("Time is up", new() { Timeout = (ShortRollbackFixture.Seconds + 30) * 1000 });
        await ui.Screenshot("went-back");
        Assert.Equal("192.168.1.1/24", (string?)(await fixture.Api.GetJson("/api/settings"))["lan"]!["address"]);
        await banner.GetByRole(AriaRole.Link).ClickAsync();
        await ui.Page.WaitForURLAsync(new Regex(@"^http://192\.168\.1\.1/"));
        // The session this browser had at the old address is still there.
        await Expect(ui.Heading).ToHaveTextAsync("Status");

        // The phone's lease still renews from the router at its old address.
        int before = lab.LeaseOf(lab.Phone)!.Count;
        lab.RenewLease(lab.Phone);
        await lab.WaitFor(() => lab.LeaseOf(lab.Phone) is { } l && l.Count > before && l.Address.StartsWith("192.168.1.", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "the phone to renew its lease in 192.168.1.0/24");
    }
}
