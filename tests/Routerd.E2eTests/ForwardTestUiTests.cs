using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Routerd.Lab;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>A port forward made on the Port forwarding page, as an owner would from the phone: it
/// works from the internet (the ISP namespace), and "Test this forward", run while the internet
/// host connects, says in words that the connection was sent on to the phone by the DNAT rule.</summary>
public sealed class ForwardTestUiTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const int Service = 7130, WanPort = 8080;
    const string DnatComment = "a connection from the internet to a forwarded port of the WAN address goes to its device";

    [Fact]
    public async Task A_forward_added_in_the_page_works_from_the_internet_and_its_test_names_the_dnat()
    {
        var lab = fixture.Lab;
        using var service = lab.StartIn(lab.Phone.Namespace, $"socat TCP-LISTEN:{Service},reuseaddr,fork SYSTEM:'echo tcp $SOCAT_PEERADDR'", "phone-web");
        string wan = lab.WanAddress()!.Split('/')[0];
        CommandResult FromInternet() =>
            lab.RunIn(lab.IspNs, $"timeout 5 socat -T 3 - TCP:{wan}:{WanPort},bind={LabAddresses.InternetHost},connect-timeout=3 </dev/null");

        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Desktop, "forwards", "another-password-9");
        await ui.Go("Port forwarding");
        var add = ui.Form("New port forward");
        await add.GetByLabel("Description", new() { Exact = true }).FillAsync("Phone web");
        await add.GetByLabel("Internet port", new() { Exact = true }).FillAsync($"{WanPort}");
        await add.GetByLabel("Device", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Value = lab.Phone.Mac });
        await add.GetByLabel("Port on the device", new() { Exact = true }).FillAsync($"{Service}");
        await add.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        var item = ui.Page.Locator("li.forward", new() { HasText = "Phone web" });
        await Expect(item.Locator(".badge")).ToHaveTextAsync("Active");

        var reached = FromInternet();
        Assert.True(reached.Ok, reached.ToString());
        Assert.Equal($"tcp {LabAddresses.InternetHost}", reached.Stdout.Trim());

        await item.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Test Phone web") }).ClickAsync();
        await Expect(item.Locator(".trace-result")).ToContainTextAsync($"{wan}:{WanPort}");
        await ui.Screenshot("forward-testing");
        await lab.WaitFor(() => lab.RunIn(lab.RouterNs, "nft list chain inet routerd tracer").Ok, TimeSpan.FromSeconds(10), "the trace rule");
        var during = FromInternet();
        Assert.True(during.Ok, during.ToString());

        string phone = lab.LeaseOf(lab.Phone)!.Address;
        await Expect(item.Locator(".trace-verdict")).ToHaveTextAsync("It works: connections reach the device.", new() { Timeout = 40_000 });
        await Expect(item.Locator(".trace-paths")).ToContainTextAsync($"sent on to {phone}:{Service} by “{DnatComment}”");
        await item.Locator("summary", new() { HasText = "Every step" }).ClickAsync();
        await Expect(item.Locator(".trace-steps")).ToContainTextAsync("prerouting · forward_dstnat");
        await ui.Screenshot("forward-tested");
        Assert.Empty(ui.Problems);
    }
}
