using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>The lab for web API tests: a short rollback window and a short login throttle, so the
/// tests stay quick (routerd's defaults are 60 s and a wait doubling from 2 s to 5 min).</summary>
public sealed class WebLabFixture : LabFixture
{
    public const int RollbackSeconds = 8;
    protected override LabOptions Options => new() { RollbackSeconds = RollbackSeconds, LoginThrottle = (3, 1, 2) };
}

/// <summary>The web API over TCP from a LAN client, against routerd with real nftables and dnsmasq:
/// sessions, CSRF, the forced first password change, login throttling, export, factory reset,
/// reboot. Each test states the router it needs (tests share one lab and run in any order).</summary>
public sealed class WebApiTests(WebLabFixture fixture) : IClassFixture<WebLabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi socket = fixture.Api;

    LanBrowser Phone() => new(lab, lab.Phone);
    LanBrowser Laptop() => new(lab, lab.Laptop);

    async Task FactoryResetOverSocket()
    {
        using var r = await socket.Post("/api/system/factory-reset");
        Assert.True((int)r.StatusCode == 202, $"factory reset over the control socket → {(int)r.StatusCode}");
    }

    [Fact]
    public async Task Without_a_session_the_api_answers_401_and_every_response_has_the_security_headers()
    {
        var browser = Phone();
        foreach (var (method, path) in new[] { ("GET", "/api/status"), ("GET", "/api/settings"), ("GET", "/api/devices"), ("GET", "/api/session"),
                     ("PUT", "/api/settings"), ("POST", "/api/system/reboot"), ("GET", "/api/settings/export"), ("GET", "/api/nosuch") })
        {
            var a = await browser.Send(method, path, method == "GET" ? null : new JsonObject());
            Assert.True(a.Status == 401, $"{method} {path} without a session: {a}");
            Assert.NotNull(a.Json!["error"]);
        }
        Assert.False(File.Exists(lab.RebootMark), "a refused reboot must not run the command");

        var openApi = await browser.Get("/api/openapi.json");
        Assert.Equal(200, openApi.Status);
        Assert.StartsWith("3.0", (string)openApi.Json!["openapi"]!);
        foreach (var a in new[] { openApi, await browser.Get("/"), await browser.Get("/api/status") })
        {
            string csp = a.Header("Content-Security-Policy") ?? "";
            Assert.Contains("default-src 'self'", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.Equal("nosniff", a.Header("X-Content-Type-Options"));
            Assert.Equal("no-referrer", a.Header("Referrer-Policy"));
        }
        Assert.Equal("no-store", openApi.Header("Cache-Control"));
    }

    [Fact]
    public async Task The_first_boot_password_must_be_changed_before_anything_else_and_then_stops_working()
    {
        await FactoryResetOverSocket();
        var phone = Phone();
        var laptop = Laptop();
        var login = await phone.Login("admin");
        Assert.True(login.Status == 200, $"admin/admin on a fresh router: {login}");
        Assert.True((bool)login.Json!["mustChangePassword"]!);
        string cookie = login.Header("Set-Cookie") ?? "";
        Assert.Contains("routerd_session=", cookie);
        Assert.Contains("httponly", cookie.ToLowerInvariant());
        Assert.Contains("samesite=strict", cookie.ToLowerInvariant());
        Assert.Contains("path=/", cookie.ToLowerInvariant());
        Assert.True((await laptop.Login("admin")).Status == 200, "a second browser with admin/admin");

        foreach (var (method, path) in new[] { ("GET", "/api/status"), ("GET", "/api/settings"), ("PUT", "/api/devices/02:00:00:00:01:01/priority"), ("GET", "/api/settings/export") })
        {
            var a = await phone.Send(method, path, method == "GET" ? null : new JsonObject { ["enabled"] = true });
            Assert.True(a.Status == 403 && (string?)a.Json!["code"] == "admin/MUST_CHANGE_PASSWORD", $"{method} {path} before the change: {a}");
        }
        Assert.DoesNotContain(lab.Phone.Mac, lab.NftSet("vip_macs"));

        var bad = await phone.ChangePassword("wrong", "short", "other");
        Assert.Equal(400, bad.Status);
        var fields = bad.Json!["errors"]!.AsArray().Select(e => (string?)e!["field"]).ToHashSet();
        Assert.True(fields.SetEquals(["current", "new", "confirm"]), $"the refusal names every field: {bad}");
        Assert.Equal(400, (await phone.ChangePassword("admin", "admin", "admin")).Status);
        // The common-password list is a resource inside the binary: it must be there in the shipped one too.
        var common = await phone.ChangePassword("admin", "iloveyou2!", "iloveyou2!");
        Assert.True(common.Status == 400 && common.Body.Contains("most common passwords"), $"a common password: {common}");

        var ok = await phone.ChangePassword("admin", LanBrowser.KnownPassword, LanBrowser.KnownPassword);
        Assert.True(ok.Status == 204, $"password change: {ok}");
        Assert.Equal(200, (await phone.Get("/api/status")).Status);
        Assert.True((await laptop.Get("/api/session")).Status == 401, "the other session ends with the password change");

        Assert.Equal(204, (await phone.Send("DELETE", "/api/session")).Status);
        Assert.Equal(401, (await phone.Get("/api/status")).Status);
        Assert.True((await phone.Login("admin")).Status == 401, "admin/admin is refused after the change");
        var again = await phone.Login(LanBrowser.KnownPassword);
        Assert.True(again.Status == 200 && !(bool)again.Json!["mustChangePassword"]!, $"the new password: {again}");
        var settings = (await phone.Get("/api/settings")).Json!;
        Assert.Equal("", (string?)settings["admin"]?["passwordHash"] ?? "");
    }

    [Fact]
    public async Task A_state_change_without_the_right_csrf_token_is_refused_and_changes_nothing()
    {
        var phone = Phone();
        await phone.LogIn();
        var other = Laptop();
        await other.LogIn();
        var before = await socket.Settings();
        var changed = before.DeepClone().AsObject();
        changed["wifi"]!["ssid"] = "csrf-" + Guid.NewGuid().ToString("N")[..8];

        foreach (var (token, send, why) in new[] { ((string?)null, false, "no token"), ("wrong", true, "a wrong token"), (other.Csrf, true, "another session's token") })
        {
            var a = await phone.Send("PUT", "/api/settings", changed, csrf: token, sendCsrf: send);
            Assert.True(a.Status == 403, $"PUT /api/settings with {why}: {a}");
            var p = await phone.Send("PUT", "/api/devices/02:00:00:00:01:01/priority", new JsonObject { ["enabled"] = true }, csrf: token, sendCsrf: send);
            Assert.True(p.Status == 403, $"priority with {why}: {p}");
            var logout = await phone.Send("DELETE", "/api/session", csrf: token, sendCsrf: send);
            Assert.True(logout.Status == 403, $"logout with {why}: {logout}");
        }
        Assert.Equal(before.ToJsonString(), (await socket.Settings()).ToJsonString());
        Assert.DoesNotContain(lab.Phone.Mac, lab.NftSet("vip_macs"));
        Assert.Equal(200, (await phone.Get("/api/session")).Status);

        var right = await phone.Send("PUT", "/api/settings", changed);
        Assert.True(right.Status == 200, $"with the session's token: {right}");
        Assert.Equal((string?)changed["wifi"]!["ssid"], (string?)(await socket.Settings())["wifi"]!["ssid"]);
    }

    [Fact]
    public async Task Twenty_wrong_passwords_are_throttled_and_the_right_one_works_after_the_delay()
    {
        await Phone().LogIn(); // the password is KnownPassword, whatever ran before
        var laptop = Laptop();
        var answers = new List<WebAnswer>();
        for (int i = 0; i < 20; i++) answers.Add(await laptop.Login("not-the-password-" + i));

        Assert.All(answers, a => Assert.True(a.Status is 401 or 429, $"a wrong password: {a}"));
        Assert.True(answers.Take(3).All(a => a.Status == 401), "the first failures are answered at once");
        var throttled = answers.Where(a => a.Status == 429).ToList();
        Assert.True(throttled.Count >= 10, $"20 quick wrong passwords must be throttled: {string.Join(", ", answers.Select(a => a.Status))}");
        Assert.All(throttled, a => Assert.True(int.Parse(a.Header("Retry-After")!) >= 1, $"Retry-After: {a.Header("Retry-After")}"));

        // While the wait runs even the right password is not looked at.
        var early = await laptop.Login(LanBrowser.KnownPassword);
        Assert.True(early.Status == 429, $"the right password during the wait: {early}");
        // The phone, another client, is not slowed down by the laptop's guesses.
        Assert.Equal(200, (await Phone().Login(LanBrowser.KnownPassword)).Status);

        await Task.Delay(TimeSpan.FromSeconds(int.Parse(early.Header("Retry-After")!) + 0.5));
        var ok = await laptop.Login(LanBrowser.KnownPassword);
        Assert.True(ok.Status == 200, $"the right password after the delay: {ok}");
    }

    [Fact]
    public async Task Export_leaves_secrets_out_unless_asked_and_import_migrates_an_old_document()
    {
        const string Passphrase = "lab-wifi-passphrase-42";
        var phone = Phone();
        await phone.LogIn();
        var settings = await socket.Settings();
        settings["wifi"]!["passphrase"] = Passphrase;
        using (var put = await socket.Put("/api/settings", settings))
            Assert.True(put.IsSuccessStatusCode, $"setting a passphrase: {(int)put.StatusCode}");

        var plain = await phone.Get("/api/settings/export");
        Assert.True(plain.Status == 200, $"export: {plain}");
        Assert.DoesNotContain(Passphrase, plain.Body);
        Assert.DoesNotContain("pbkdf2", plain.Body);
        Assert.DoesNotContain("board-default", plain.Body); // the first boot's stored form (PasswordHasher.HashDefault)
        Assert.Equal(plain.Body, (await phone.Get("/api/settings/export?secrets=false")).Body);
        var full = await phone.Get("/api/settings/export?secrets=true");
        Assert.Contains(Passphrase, full.Body);
        Assert.DoesNotContain("pbkdf2", full.Body);
        Assert.DoesNotContain("board-default", full.Body);

        // A document from before schema versions (no schemaVersion), without its secrets.
        var old = plain.Json!.AsObject();
        old.Remove("schemaVersion");
        string ssid = "imported-" + Guid.NewGuid().ToString("N")[..6];
        old["wifi"]!["ssid"] = ssid;
        var imported = await phone.Send("POST", "/api/settings/import", old);
        Assert.True(imported.Status == 200, $"import: {imported}");
        Assert.Equal(ssid, (string?)(await socket.Settings())["wifi"]!["ssid"]);
        Assert.Contains(Passphrase, (await phone.Get("/api/settings/export?secrets=true")).Body);

        var broken = await phone.Send("POST", "/api/settings/import", new JsonObject { ["schemaVersion"] = 99 });
        Assert.True(broken.Status == 400, $"a document from a newer routerd: {broken}");
    }

    [Fact]
    public async Task A_factory_reset_brings_back_admin_admin_must_change_and_forgets_leases()
    {
        var phone = Phone();
        await phone.LogIn();
        await lab.RenewKeepingAddress(lab.Phone); // another test's reset may have emptied the lease file
        Assert.Contains(lab.Phone.Mac, lab.RouterLeases());

        var reset = await phone.Send("POST", "/api/system/factory-reset");
        Assert.True(reset.Status == 202, $"factory reset: {reset}");

        Assert.Equal(401, (await phone.Get("/api/status")).Status);
        Assert.DoesNotContain(lab.Phone.Mac, lab.RouterLeases());
        Assert.Equal(401, (await phone.Login(LanBrowser.KnownPassword)).Status);
        var first = await phone.Login("admin");
        Assert.True(first.Status == 200 && (bool)first.Json!["mustChangePassword"]!, $"admin/admin after the reset: {first}");

        // The phone's address still works: renewing it makes a new lease with the same address.
        await lab.RenewKeepingAddress(lab.Phone);
        Assert.True(lab.FetchHello(lab.Phone).Ok, "the phone must reach the internet after the reset");
    }


    [Fact]
    public async Task Reboot_runs_the_boards_command()
    {
        var phone = Phone();
        await phone.LogIn();
        File.Delete(lab.RebootMark);
        var a = await phone.Send("POST", "/api/system/reboot");
        Assert.True(a.Status == 202, $"reboot: {a}");
        await lab.WaitFor(() => File.Exists(lab.RebootMark), TimeSpan.FromSeconds(10), "the board's reboot command to run");
    }

    [Fact]
    public async Task Status_reports_uptime_devices_online_and_the_wan_counters()
    {
        var phone = Phone();
        await phone.LogIn();
        var before = (await phone.Get("/api/status")).Json!;
        Assert.True(lab.FetchHello(lab.Phone).Ok);
        await Task.Delay(1100);
        var after = (await phone.Get("/api/status")).Json!;

        Assert.True((long)after["uptimeSeconds"]! > (long)before["uptimeSeconds"]! - 1 && (long)after["uptimeSeconds"]! >= 1, $"uptime: {after}");
        // A neighbour the router has not heard from for a while is STALE; traffic sends it through
        // DELAY and a probe to REACHABLE, and only that last step is announced over netlink (about
        // 5 s later). So "online" follows within seconds, not at once.
        await lab.WaitFor(async () => (int)(await phone.Get("/api/status")).Json!["devicesOnline"]! >= 1, TimeSpan.FromSeconds(15),
            "the phone, which just talked through the router, to count as online");
        Assert.True((long)after["wan"]!["rxBytes"]! > (long)before["wan"]!["rxBytes"]!, $"the fetch came in over the WAN: {before} → {after}");
        Assert.True((long)after["wan"]!["txBytes"]! > (long)before["wan"]!["txBytes"]!, $"the request went out over the WAN: {before} → {after}");
    }
}
