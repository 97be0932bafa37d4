using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>Pausing a device from the Devices page, as an owner would: from the phone itself,
/// whose browser keeps reaching the router's pages while its internet is off.</summary>
public sealed class PauseUiTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    [Fact]
    public async Task The_phone_is_paused_and_resumed_and_given_a_schedule_from_its_card()
    {
        var lab = fixture.Lab;
        string PauseMacs() => lab.RunIn(lab.RouterNs, "nft list set inet routerd pause_macs").EnsureOk().Stdout;
        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Phone, "pause", "another-password-9");
        await ui.Go("Devices");
        var phone = ui.Page.Locator("li.device", new() { HasText = lab.Phone.Mac });

        await phone.GetByRole(AriaRole.Combobox, new() { NameRegex = new Regex("stays off the internet") }).SelectOptionAsync(new SelectOptionValue { Label = "Until I resume it" });
        await phone.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Pause internet for") }).ClickAsync();
        await Expect(phone.Locator(".pause-state")).ToContainTextAsync("Internet paused until you resume it.");
        await Expect(phone.Locator(".badge.paused")).ToHaveTextAsync("Paused");
        Assert.Contains(lab.Phone.Mac, PauseMacs());
        Assert.NotEqual(0, lab.RunIn(lab.Phone.Namespace, $"curl -sS --max-time 5 http://{Routerd.Lab.LabAddresses.InternetHost}{Routerd.Lab.LabAddresses.HelloPath}").ExitCode);
        await ui.Screenshot("devices-paused");

        // The page still answers: the router is on the LAN, and so is the phone.
        await phone.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Resume internet for") }).ClickAsync();
        await Expect(phone.Locator(".pause-state")).ToBeHiddenAsync();
        Assert.DoesNotContain(lab.Phone.Mac, PauseMacs());

        // A schedule: refused without a day (the message at the days), then school nights.
        await phone.Locator("summary", new() { HasText = "Pause on a schedule" }).ClickAsync();
        var add = phone.GetByRole(AriaRole.Form, new() { NameRegex = new Regex("^Add a pause time") });
        await add.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Expect(add.Locator("fieldset .field-error")).ToHaveTextAsync("Choose at least one day.");
        foreach (var day in new[] { "Mon", "Tue", "Wed", "Thu", "Fri" })
            await add.GetByLabel(day, new() { Exact = true }).CheckAsync();
        await add.GetByLabel("From", new() { Exact = true }).FillAsync("21:00");
        await add.GetByLabel("To", new() { Exact = true }).FillAsync("07:00");
        await add.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Expect(phone.Locator(".windows li")).ToContainTextAsync("Weekdays 21:00–07:00 (next day)");
        var device = (await fixture.Api.GetJson("/api/devices")).AsArray().Single(d => (string?)d!["mac"] == lab.Phone.Mac)!;
        Assert.Equal("""[{"days":["mon","tue","wed","thu","fri"],"from":"21:00","to":"07:00"}]""", device["pauseSchedule"]!.ToJsonString());
        await ui.Screenshot("devices-schedule");
        await phone.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Remove Weekdays") }).ClickAsync();
        await Expect(phone.Locator(".windows li")).ToHaveCountAsync(0);
        Assert.Empty(ui.Problems);
    }
}
