using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Routerd.E2eTests;

/// <summary>The System page's actions in the browser: backup and restore through files, and the
/// dangerous ones (restart, factory reset) only after the dialog says yes.</summary>
public sealed class SystemPageTests(BrowserLabFixture fixture) : IClassFixture<BrowserLabFixture>
{
    const string Password = "system-pass-5";

    [Fact]
    public async Task Backup_restore_restart_and_factory_reset()
    {
        var lab = fixture.Lab;
        await using var ui = await RouterUi.OpenFirstTime(fixture.Browser, RouterUi.Desktop, "system", Password);
        await ui.Go("System");

        // Backup: a JSON file of the settings.
        var download = await ui.Page.RunAndWaitForDownloadAsync(() => ui.Button("Download settings").ClickAsync());
        string file = Path.Combine(lab.Dir, "backup.json");
        await download.SaveAsAsync(file);
        var backup = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        Assert.Equal("192.168.1.1/24", (string?)backup["lan"]!["address"]);

        // Restore an edited copy: asked first, then applied.
        backup["wifi"]!["ssid"] = "Restored network";
        await File.WriteAllTextAsync(file, backup.ToJsonString());
        await ui.Field("Settings file").SetInputFilesAsync(file);
        await ui.Button("Restore").ClickAsync();
        var dialog = ui.Page.GetByRole(AriaRole.Dialog);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Expect(ui.Form("Restore settings").Locator(".form-status")).ToHaveTextAsync("Settings restored.");
        Assert.Equal("Restored network", (string?)(await fixture.Api.GetJson("/api/settings"))["wifi"]!["ssid"]);

        // Restart: Cancel does nothing; confirmed, the board's reboot command runs (the lab's only notes it).
        await ui.Button("Restart router…").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Task.Delay(500);
        Assert.False(File.Exists(lab.RebootMark), "the reboot command ran although the dialog was cancelled");
        await ui.Button("Restart router…").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Restart" }).ClickAsync();
        await Expect(ui.Heading).ToHaveTextAsync("Restarting…");
        await lab.WaitFor(() => File.Exists(lab.RebootMark), TimeSpan.FromSeconds(10), "routerd to run the board's reboot command");

        // The page reloads by itself where it was once the router answers (this one never went away).
        await Expect(ui.Heading).ToHaveTextAsync("System", new() { Timeout = 30_000 });
        await ui.Button("Factory reset…").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Erase everything" }).ClickAsync();
        await Expect(ui.Heading).ToHaveTextAsync("Log in");
        await Expect(ui.Page.Locator("main")).ToContainTextAsync("back to factory settings");
        await ui.LogIn("admin", "admin");
        await Expect(ui.Heading).ToHaveTextAsync("Choose your own password");
        Assert.NotEqual("Restored network", (string?)(await fixture.Api.GetJson("/api/settings"))["wifi"]!["ssid"]);
        Assert.Empty(ui.Problems);
    }
}
