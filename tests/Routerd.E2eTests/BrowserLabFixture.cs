using Microsoft.Playwright;
using Routerd.Lab;
using Xunit;

namespace Routerd.E2eTests;

/// <summary>A lab (fresh routerd, WAN up, phone and laptop with leases) and chromium in the
/// phone's namespace. If the machine cannot run it, creating the fixture throws with the fix, so
/// every test fails with that message instead of being skipped.</summary>
public class BrowserLabFixture : IAsyncLifetime
{
    static readonly TimeSpan Ready = TimeSpan.FromSeconds(60);

    Lab.Lab? lab;
    RouterdApi? api;
    IPlaywright? playwright;
    IBrowser? browser;

    public Lab.Lab Lab => lab ?? throw new InvalidOperationException("the lab was not created");
    /// <summary>routerd's control socket: the trusted side, for checks the browser must not be able to make.</summary>
    public RouterdApi Api => api ?? throw new InvalidOperationException("the lab was not created");
    public IBrowser Browser => browser ?? throw new InvalidOperationException("the browser was not started");

    /// <summary>The hostname the phone's DHCP client sends.</summary>
    protected virtual string? PhoneHostname => null;
    /// <summary>How long an unconfirmed LAN address change waits before it rolls back.</summary>
    protected virtual int RollbackSeconds => 60;

    /// <summary>What a fixture adds to the lab before the browser starts (the ISP's IPv6).</summary>
    protected virtual Task Prepare(Lab.Lab lab, RouterdApi api) => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        if (PhoneChromium.Problems() is { Count: > 0 } problems) throw new LabUnavailableException(problems);
        lab = Routerd.Lab.Lab.Create(new LabOptions { PhoneHostname = PhoneHostname, RollbackSeconds = RollbackSeconds });
        api = new RouterdApi(lab.ControlSocket);
        await lab.WaitFor(async () => (await api.GetJson("/api/status"))["wan"]?["address"] is not null, Ready, "routerd's WAN to get an address from the ISP");
        await lab.WaitForLeases(Ready);
        await Prepare(lab, api);
        playwright = await Playwright.CreateAsync();
        browser = await PhoneChromium.Launch(playwright, lab.Phone, lab.Dir);
    }

    public async Task DisposeAsync()
    {
        if (browser is not null) await browser.CloseAsync();
        playwright?.Dispose();
        api?.Dispose();
        lab?.Dispose();
    }
}

/// <summary>The phone calls itself something that would be markup if the UI ever parsed it.</summary>
public sealed class HostileHostnameFixture : BrowserLabFixture
{
    public const string Hostname = "<img src=x onerror=alert(1)>";
    protected override string? PhoneHostname => Hostname;
}

/// <summary>A rollback window short enough to wait out in a test.</summary>
public sealed class ShortRollbackFixture : BrowserLabFixture
{
    public const int Seconds = 20;
    protected override int RollbackSeconds => Seconds;
}
