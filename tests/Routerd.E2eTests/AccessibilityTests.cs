using Xunit;

namespace Routerd.E2eTests;

/// <summary>axe-core on every page as an owner reaches it (<see cref="AxeSweep"/>, the same sweep
/// `bench webui` counts as axe_serious): a serious or critical violation fails the test with the
/// rule, its help text and where it is.</summary>
public sealed class AccessibilityTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "axe-check-pass-1";
    /// <summary>The pages an owner has today: the sweep finds them in the navigation, and must
    /// have reached each of them in both schemes (a sweep that checked nothing would pass).</summary>
    static readonly string[] Pages = ["Status", "Internet", "Wi-Fi", "Devices", "Port forwarding", "System", "Tools"];

    [Fact]
    public async Task No_page_has_a_serious_or_critical_violation_in_light_or_dark()
    {
        var result = await AxeSweep.EveryPage(fixture.Browser, Password);
        string[] expected = ["login", "forced password change", .. Pages.Select(p => $"{p} (light)"), .. Pages.Select(p => $"{p} (dark)")];
        Assert.Empty(expected.Except(result.Checked));
        Assert.True(result.Serious.Count == 0, $"{result.Serious.Count} serious or critical accessibility violations:\n" + string.Join("\n", result.Serious));
    }
}
