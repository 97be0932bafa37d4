using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>The Internet page's WAN MAC clone (every mode) and PPPoE VLAN ID (issue 23): bad
/// values are refused under their fields with nothing stored, a good clone is stored and shown
/// again, an empty field takes it away, and the VLAN ID shows only with PPPoE.</summary>
public sealed class WanVlanMacPageTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "wan-vlan-mac-7";
    const string MacLabel = "WAN MAC address (optional)";
    const string VlanLabel = "VLAN ID (only if your provider requires one)";

    [Fact]
    public async Task The_clone_and_the_vlan_are_refused_at_their_fields_and_a_good_clone_is_kept()
    {
        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Desktop, "wan-vlan-mac", Password);
        await ui.Go("Internet");
        var form = ui.Form("Internet connection");
        ILocator Field(string label) => form.GetByLabel(label, new() { Exact = true });
        ILocator Error(string field) => form.Locator($"[data-field='{field}'] .field-error");
        await Expect(Field(VlanLabel)).ToBeHiddenAsync();

        await Field(MacLabel).FillAsync("01:00:5e:00:00:01");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(Error("wan.mac")).ToContainTextAsync("multicast");
        Assert.Null((await fixture.Api.GetJson("/api/settings"))["wan"]!["mac"]);

        await Field(MacLabel).FillAsync("02:5A:11:22:33:44");
        await ui.Save("Internet connection");
        // Stored as written (settings keep the user's spelling); the plan reads it as 02:5a:11:22:33:44.
        Assert.Equal("02:5A:11:22:33:44", (string)(await fixture.Api.GetJson("/api/settings"))["wan"]!["mac"]!);
        await ui.Page.ReloadAsync();
        await Expect(Field(MacLabel)).ToHaveValueAsync("02:5A:11:22:33:44");

        // PPPoE's VLAN ID: letters are refused in the page, 4095 by the router, each under the field.
        await form.GetByRole(AriaRole.Radio, new() { Name = "PPPoE" }).CheckAsync();
        await Field("Username").FillAsync("vlan-user@isp.example");
        await Field("Password").FillAsync("vlan-pass");
        await Field(VlanLabel).FillAsync("seven");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(Error("wan.pppoe.vlanId")).ToContainTextAsync("1 to 4094");
        await Field(VlanLabel).FillAsync("4095");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(Error("wan.pppoe.vlanId")).ToContainTextAsync("between 1 and 4094");
        await ui.Screenshot("internet-vlan-error");
        Assert.Equal("dhcp", (string)(await fixture.Api.GetJson("/api/settings"))["wan"]!["mode"]!);

        // Back to automatic with the clone cleared: the port's own address again.
        await form.GetByRole(AriaRole.Radio, new() { Name = "Automatic" }).CheckAsync();
        await Field(MacLabel).FillAsync("");
        await ui.Save("Internet connection");
        Assert.Null((await fixture.Api.GetJson("/api/settings"))["wan"]!["mac"]);
        Assert.Empty(ui.Problems);
    }
}
