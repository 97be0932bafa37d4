using Microsoft.Playwright;
using Routerd.Browser;

namespace Routerd.WebUiBench;

/// <summary>axe_serious: the browser tier's accessibility sweep (<see cref="AxeSweep"/>), run by
/// chromium in the lab phone's namespace against the router the bench measures.</summary>
static class AxePass
{
    /// <summary>Needs a router still at admin/admin; leaves it with <paramref name="password"/>.</summary>
    public static async Task<AxeSweepResult> Run(Lab.Lab lab, string password)
    {
        Console.Error.WriteLine($"bench: axe-core over every page from the phone ({lab.Phone.Namespace})");
        using var playwright = await Playwright.CreateAsync();
        var browser = await PhoneChromium.Launch(playwright, lab.Phone, lab.Dir);
        try
        {
            var result = await AxeSweep.EveryPage(browser, password);
            foreach (var finding in result.Serious) Console.Error.WriteLine($"axe: {finding}");
            Console.Error.WriteLine($"bench: axe-core checked {result.Checked.Count} pages ({string.Join(", ", result.Checked)}): {result.Serious.Count} serious or critical violations");
            return result;
        }
        finally { await browser.CloseAsync(); }
    }
}
