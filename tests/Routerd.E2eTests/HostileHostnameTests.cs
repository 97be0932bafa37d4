using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>Names that come from outside reach the page as text, never as markup. The phone's
/// DHCP client calls itself <c>&lt;img src=x onerror=alert(1)&gt;</c>. dnsmasq refuses a hostname
/// that is not a legal DNS name (its lease says "*"), so that text never reaches the device list
/// as a hostname; the same text as the device's name (a name the user or an imported settings
/// file gives it) does, and must show as those very characters.</summary>
public sealed class HostileHostnameTests(HostileHostnameFixture fixture) : IClassFixture<HostileHostnameFixture>
{
    const string Hostile = HostileHostnameFixture.Hostname;

    [Fact]
    public async Task Markup_in_a_dhcp_hostname_or_device_name_shows_as_text()
    {
        var lab = fixture.Lab;
        JsonNode? phoneEntry = null;
        await lab.WaitFor(async () => (phoneEntry = (await fixture.Api.GetJson("/api/devices")).AsArray()
                .FirstOrDefault(d => (string?)d!["mac"] == lab.Phone.Mac && d["addresses"]!.AsArray().Count > 0)) is not null,
            TimeSpan.FromSeconds(30), $"the phone in the device list with its lease; dnsmasq's leases:\n{Leases(lab)}");
        Assert.Null((string?)phoneEntry!["hostname"]);
        Assert.Contains($"{lab.Phone.Mac} {lab.LeaseOf(lab.Phone)!.Address} * ", Leases(lab));

        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Phone, "hostile", "another-password-9");
        await ui.Go("Devices");
        var phone = ui.Page.Locator("li.device", new() { HasText = lab.Phone.Mac });
        await Expect(phone.Locator("h3")).ToHaveTextAsync("Unnamed device");

        using (var named = await fixture.Api.Post("/api/devices", new JsonObject { ["mac"] = lab.Phone.Mac, ["name"] = Hostile }))
            Assert.True(named.IsSuccessStatusCode, $"naming the phone: {(int)named.StatusCode} {await named.Content.ReadAsStringAsync()}");
        await Expect(phone.Locator("h3")).ToHaveTextAsync(Hostile);
        await Expect(phone.GetByRole(AriaRole.Button, new() { Name = "Give priority" })).ToHaveAttributeAsync("aria-label", $"Give priority to {Hostile}");
        Assert.Equal(0, await ui.Page.Locator("img").CountAsync());
        await ui.Screenshot("devices");
        // An onerror handler would have run by now; the dialog watch would have seen alert(1).
        await ui.Page.WaitForTimeoutAsync(500);
        Assert.Empty(ui.Problems);
    }

    static string Leases(Lab.Lab lab)
    {
        string file = Path.Combine(lab.StateDir, "dnsmasq.leases");
        return File.Exists(file) ? File.ReadAllText(file) : "(no lease file)";
    }
}
