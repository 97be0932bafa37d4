using Microsoft.Playwright;
using Routerd.Lab;

namespace Routerd.Browser;

/// <summary>Debian's chromium, started by Playwright inside a LAN client's namespace: a small
/// wrapper script is the "executable" Playwright launches, and it hands its arguments (and the
/// DevTools pipe on fds 3 and 4) to chromium under `ip netns exec`. So the browser reaches
/// http://192.168.1.1 exactly as a phone on the LAN would, and never a network outside the lab.
/// Playwright's driver (node + playwright-core) ships inside its NuGet package; no browser is
/// ever downloaded.</summary>
public static class PhoneChromium
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>The flags that keep chromium quiet and offline apart from the page under test.
    /// Playwright adds --headless and a fresh temporary --user-data-dir itself.</summary>
    static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--no-default-browser-check",
    ];

    /// <summary>What is missing for the browser tier, each with its fix; empty when it can run.</summary>
    public static IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!File.Exists(Chromium))
            problems.Add($"{Chromium} is missing: install Debian's browser with `apt-get install chromium` (`./build.sh deps` installs it)");
        string driver = Path.Combine(AppContext.BaseDirectory, ".playwright", "node", "linux-x64", "node");
        if (!File.Exists(driver))
            problems.Add($"Playwright's driver is missing at {driver}: restore and build the test project (`dotnet build tests/Routerd.E2eTests`)");
        return problems;
    }

    public static async Task<IBrowser> Launch(IPlaywright playwright, LabClient client, string dir)
    {
        if (Problems() is { Count: > 0 } problems)
            throw new LabUnavailableException(problems);
        string wrapper = Path.Combine(dir, $"chromium-in-{client.Name}");
        File.WriteAllText(wrapper, $"#!/bin/sh\n# chromium inside the lab's {client.Name} namespace\nexec ip netns exec {client.Namespace} {Chromium} \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = wrapper,
            Headless = true,
            ChromiumSandbox = false,
            Args = Flags,
            Timeout = 60_000,
        });
    }
}
