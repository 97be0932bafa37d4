using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Routerd.Lab;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>A device's week of internet use on the Devices page, as an owner opens it: the phone
/// fetches pages from the internet host, and its card's "Usage, last 7 days" shows the bytes, an
/// hourly chart and a row for today.</summary>
public sealed class UsageUiTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    [Fact]
    public async Task The_phones_card_shows_its_week_of_use()
    {
        var lab = fixture.Lab;
        string url = $"http://{LabAddresses.InternetHost}{LabAddresses.HelloPath}";
        // The router's meter adds what moved between its samples, so fetch until the API has it.
        long downloaded = 0;
        await lab.WaitFor(async () =>
        {
            lab.RunIn(lab.Phone.Namespace, $"for i in 1 2 3 4 5; do curl -sS --max-time 5 -o /dev/null {url}; done").EnsureOk();
            downloaded = (await fixture.Api.GetJson($"/api/devices/{lab.Phone.Mac}/usage"))["downloadTotal"]!.GetValue<long>();
            return downloaded > 0;
        }, TimeSpan.FromSeconds(60), "the phone's downloads in its usage");

        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Desktop, "usage", "another-password-8");
        await ui.Go("Devices");
        var phone = ui.Page.Locator("li.device", new() { HasText = lab.Phone.Mac });
        await phone.Locator("summary", new() { HasText = "Usage, last 7 days" }).ClickAsync();
        var usage = phone.Locator(".usage-body");
        await Expect(usage).ToContainTextAsync(new Regex(@"↓ \d[\d.]* (B|KB|MB) ↑ \d[\d.]* (B|KB|MB) in 7 days"));
        await Expect(usage.Locator("svg.usage-chart rect.down")).Not.ToHaveCountAsync(0);
        // Today's row first, named as the page names days (the browser's locale and time zone).
        var today = await ui.Page.EvaluateAsync<string>("new Date().toLocaleDateString([], { weekday: 'short' })");
        await Expect(usage.Locator("tbody tr").First.Locator("th")).ToContainTextAsync(today);
        await ui.Screenshot("devices-usage");
        Assert.Empty(ui.Problems);
    }
}
