using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>The lab for the attack suite: the phone's DHCP client calls itself <c>wpad</c>, and the
/// login throttle's first wait (30 s) outlasts any burst, so a burst gets exactly its free guesses.</summary>
public sealed class AttackLabFixture : LabFixture
{
    public const int FreeFailures = 3;
    protected override LabOptions Options => new() { PhoneHostname = "wpad", LoginThrottle = (FreeFailures, 30, 60) };
}

/// <summary>Issue 18's probes, one test each: every test fails if its hole reopens. The laptop is
/// the attacker (it is throttled by one of them: the other tests use the phone), the ISP's
/// namespace is the internet.</summary>
public sealed class AttackSuiteTests(AttackLabFixture fixture) : IClassFixture<AttackLabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi socket = fixture.Api;

    LanBrowser Phone() => new(lab, lab.Phone);

    string Lan => LabAddresses.RouterLan;

    /// <summary>curl from a LAN client: the status code, or "000" when the connection failed.</summary>
    string Curl(LabClient from, string args) =>
        lab.RunIn(from.Namespace, $"curl -sS --max-time 20 -o /dev/null -w '%{{http_code}}' {args}", TimeSpan.FromSeconds(30)).Stdout.Trim();

    int RouterdRss() => int.Parse(File.ReadAllLines($"/proc/{RouterdPid()}/status").First(l => l.StartsWith("VmRSS:"))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;

    int RouterdPid()
    {
        var pids = lab.PidsOf(lab.RouterNs, "routerd");
        Assert.True(pids.Count == 1, $"one routerd expected: [{string.Join(", ", pids)}]");
        return pids[0];
    }

    int FailedLoginLines() => lab.Routerd!.Output.Split('\n').Count(l => l.Contains("web login failed"));

    [Fact]
    public async Task Parallel_logins_from_one_address_get_no_extra_guesses()
    {
        await Phone().LogIn(); // the router has KnownPassword; the phone's right login also clears the overall record
        var laptop = new LanBrowser(lab, lab.Laptop);
        var first = await laptop.Login(LanBrowser.KnownPassword); // a clean slate for the laptop
        Assert.True(first.Status == 200, $"the laptop's right password first: {first}");

        int before = FailedLoginLines();
        string body = Path.Combine(lab.Dir, "wrong-login.json");
        await File.WriteAllTextAsync(body, """{"username":"admin","password":"not-the-password"}""");
        // 25 at once from one address: curl's parallel mode opens them together.
        var burst = lab.RunIn(lab.Laptop.Namespace,
            $"seq 25 | xargs -P 25 -I{{}} curl -s --max-time 30 -o /dev/null -w '%{{http_code}}\\n' -H 'Content-Type: application/json' --data-binary @{body} http://{Lan}/api/session",
            TimeSpan.FromSeconds(60));
        var codes = burst.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(codes.Length == 25, $"25 answers: {burst}");
        await Task.Delay(500); // the log lines of the last checks
        int guesses = FailedLoginLines() - before;
        int extra = guesses - (AttackLabFixture.FreeFailures + 1);
        Assert.True(extra <= 0, $"{guesses} passwords checked for 25 parallel logins, sequential ones get {AttackLabFixture.FreeFailures + 1}: {extra} extra guesses ({string.Join(",", codes.GroupBy(c => c).Select(g => $"{g.Count()}x{g.Key}"))})");
        Assert.True(codes.Count(c => c == "401") <= AttackLabFixture.FreeFailures, string.Join(",", codes));
        // The wait has begun: even the right password is not looked at now.
        var right = await laptop.Login(LanBrowser.KnownPassword);
        Assert.True(right.Status == 429, $"the right password during the wait: {right}");
        Assert.DoesNotContain("not-the-password", lab.Routerd!.Output);
    }

    [Fact]
    public async Task Hostile_unauthenticated_bodies_cost_no_memory()
    {
        Assert.Equal("200", Curl(lab.Phone, $"http://{Lan}/")); // warm
        await Task.Delay(1000);
        int idle = RouterdRss();
        string big = Path.Combine(lab.Dir, "25mb.bin");
        await using (var f = File.Create(big)) f.SetLength(25 * 1024 * 1024);
        // Ten with a length (refused before reading), ten chunked (stopped at the route's limit).
        var burst = lab.RunIn(lab.Phone.Namespace,
            $"(seq 10 | xargs -P 10 -I{{}} curl -s --max-time 60 -o /dev/null -w '%{{http_code}}\\n' -H 'Content-Type: application/json' --data-binary @{big} http://{Lan}/api/session; " +
            $"seq 10 | xargs -P 10 -I{{}} curl -s --max-time 60 -o /dev/null -w '%{{http_code}}\\n' -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @{big} http://{Lan}/api/session) & " +
            $"seq 20 | xargs -P 20 -I{{}} curl -s --max-time 60 -o /dev/null -w '%{{http_code}}\\n' -X PUT -H 'Content-Type: application/json' --data-binary @{big} http://{Lan}/api/settings; wait",
            TimeSpan.FromSeconds(120));
        int after = RouterdRss();
        File.Delete(big);
        var codes = burst.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(codes.Length == 40, $"40 answers: {burst}");
        // 100: curl saw only the 100-continue before routerd closed the connection at the limit.
        Assert.All(codes, c => Assert.True(c is "413" or "401" or "000" or "100", $"a hostile body was answered {c}: {string.Join(",", codes)}"));
        Assert.True(after - idle <= 20, $"routerd's RSS went from {idle} MB to {after} MB under 40 hostile 25 MB bodies");
        Assert.Equal("200", Curl(lab.Phone, $"http://{Lan}/")); // still serving
    }

    [Fact]
    public void A_foreign_host_name_is_refused_before_anything_runs()
    {
        foreach (var host in new[] { "evil.example", "192.168.1.1.evil.example", "wpad.lan" })
        {
            Assert.Equal("421", Curl(lab.Phone, $"-H 'Host: {host}' http://{Lan}/"));
            Assert.Equal("421", Curl(lab.Phone, $"-H 'Host: {host}' -H 'Content-Type: application/json' --data-binary '{{\"username\":\"admin\",\"password\":\"admin\"}}' http://{Lan}/api/session"));
        }
        foreach (var host in new[] { Lan, "router.lan", "localhost:8080", "127.0.0.1:8080" })
            Assert.Equal("200", Curl(lab.Phone, $"-H 'Host: {host}' http://{Lan}/"));
        // The router's name resolves on the LAN, so the owner can use it.
        var name = lab.RunIn(lab.Phone.Namespace, $"timeout 4 busybox nslookup -type=a router.lan {Lan}");
        Assert.True(name.Ok && name.Stdout.Contains(Lan), $"router.lan: {name}");
    }

    [Fact]
    public async Task Csrf_without_or_with_a_wrong_token_or_a_foreign_origin_changes_nothing()
    {
        var phone = Phone();
        await phone.LogIn();
        var before = await socket.Settings();
        string cookieJar = phone.CookieJar;
        var changed = before.DeepClone().AsObject();
        changed["wifi"]!["ssid"] = "csrf-attack";
        string body = Path.Combine(lab.Dir, "csrf.json");
        await File.WriteAllTextAsync(body, changed.ToJsonString());
        string put = $"-b {cookieJar} -X PUT -H 'Content-Type: application/json' --data-binary @{body}";
        Assert.Equal("403", Curl(lab.Phone, $"{put} http://{Lan}/api/settings"));
        Assert.Equal("403", Curl(lab.Phone, $"{put} -H 'X-CSRF-Token: wrong' http://{Lan}/api/settings"));
        Assert.Equal("403", Curl(lab.Phone, $"{put} -H 'X-CSRF-Token: {phone.Csrf}' -H 'Origin: http://evil.example' http://{Lan}/api/settings"));
        Assert.Equal("403", Curl(lab.Phone, $"{put} -H 'X-CSRF-Token: {phone.Csrf}' -H 'Origin: null' http://{Lan}/api/settings"));
        // A login from another site's page (login CSRF) is refused too.
        Assert.Equal("403", Curl(lab.Phone, $"-H 'Origin: http://evil.example' -H 'Content-Type: application/json' --data-binary '{{\"username\":\"admin\",\"password\":\"x\"}}' http://{Lan}/api/session"));
        Assert.Equal(before.ToJsonString(), (await socket.Settings()).ToJsonString());
        // The router's own page: accepted.
        Assert.Equal("200", Curl(lab.Phone, $"{put} -H 'X-CSRF-Token: {phone.Csrf}' -H 'Origin: http://{Lan}' http://{Lan}/api/settings"));
        Assert.Equal("csrf-attack", (string?)(await socket.Settings())["wifi"]!["ssid"]);
        using var back = await socket.Put("/api/settings", before);
        Assert.True(back.IsSuccessStatusCode);
    }

    [Fact]
    public async Task The_session_cookie_is_httponly_samesite_strict_and_ends_with_the_browser()
    {
        var phone = Phone();
        await phone.LogIn();
        var login = await phone.Login(LanBrowser.KnownPassword);
        string cookie = (login.Header("Set-Cookie") ?? "").ToLowerInvariant();
        Assert.Contains("routerd_session=", cookie);
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=strict", cookie);
        Assert.Contains("path=/", cookie);
        Assert.DoesNotContain("expires", cookie);
        Assert.DoesNotContain("max-age", cookie);
        Assert.DoesNotContain("domain", cookie);
    }

    [Fact]
    public async Task Header_and_body_limits_hold()
    {
        string longHeader = new('a', 20_000);
        Assert.Equal("431", Curl(lab.Phone, $"-H 'X-Big: {longHeader}' http://{Lan}/"));
        string many = string.Join(' ', Enumerable.Range(0, 80).Select(i => $"-H 'X-H{i}: v'"));
        Assert.Equal("431", Curl(lab.Phone, $"{many} http://{Lan}/"));
        Assert.Equal("414", Curl(lab.Phone, $"http://{Lan}/{new string('a', 10_000)}"));
        string login = Path.Combine(lab.Dir, "login-5k.json");
        await File.WriteAllTextAsync(login, $$"""{"username":"admin","password":"{{new string('x', 5000)}}"}""");
        Assert.Equal("413", Curl(lab.Phone, $"-H 'Content-Type: application/json' --data-binary @{login} http://{Lan}/api/session"));
        // Logged in, a settings document over the limit is refused before it is read.
        var phone = Phone();
        await phone.LogIn();
        string cookieJar = phone.CookieJar;
        string big = Path.Combine(lab.Dir, "3mb.json");
        await File.WriteAllTextAsync(big, new string(' ', 3 * 1024 * 1024) + "{}");
        Assert.Equal("413", Curl(lab.Phone, $"-b {cookieJar} -X PUT -H 'X-CSRF-Token: {phone.Csrf}' -H 'Content-Type: application/json' --data-binary @{big} http://{Lan}/api/settings"));
    }

    [Fact]
    public void Path_traversal_reaches_no_file()
    {
        foreach (var path in new[] { "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd", "/%252e%252e/etc/passwd",
                     "/api/../../../etc/passwd", "/pages/../../../../etc/passwd", "//etc/passwd", "/index.html/../../../etc/passwd" })
        {
            var r = lab.RunIn(lab.Phone.Namespace, $"curl -sS --max-time 5 --path-as-is 'http://{Lan}{path}'");
            Assert.DoesNotContain("root:", r.Stdout);
        }
    }

    [Fact]
    public async Task A_device_calling_itself_wpad_gets_no_dns_name()
    {
        await lab.WaitFor(() => lab.RouterLeases().Contains(lab.Phone.Mac), TimeSpan.FromSeconds(20), "the phone's lease");
        foreach (var name in new[] { "wpad.lan", "wpad" })
        {
            var r = lab.RunIn(lab.Laptop.Namespace, $"timeout 4 busybox nslookup -type=a {name} {Lan}");
            Assert.DoesNotContain(lab.LeaseOf(lab.Phone)!.Address, r.Stdout);
        }
        // Names are still registered for everyone else: the laptop's name resolves.
        var laptop = lab.RunIn(lab.Phone.Namespace, $"timeout 4 busybox nslookup -type=a laptop.lan {Lan}");
        Assert.True(laptop.Stdout.Contains(lab.LeaseOf(lab.Laptop)!.Address), $"laptop.lan: {laptop}");
    }

    [Fact]
    public void The_wan_side_has_no_open_tcp_port_and_no_udp_answer()
    {
        string wan = lab.WanIp();
        var tcp = lab.RunIn(lab.IspNs, $"nmap -Pn -n -sS -p- --min-rate 4000 --max-retries 1 -oG - {wan}", TimeSpan.FromSeconds(300));
        Assert.True(tcp.Ok, $"nmap: {tcp}");
        Assert.DoesNotContain("/open/", tcp.Stdout);
        var udp = lab.RunIn(lab.IspNs, $"nmap -Pn -n -sU -p 53,67,68,69,123,137,161,500,1900,4500,5353 --max-retries 1 -oG - {wan}", TimeSpan.FromSeconds(120));
        Assert.True(udp.Ok, $"nmap: {udp}");
        Assert.DoesNotContain("/open/", udp.Stdout);
        Assert.DoesNotContain("/closed/", udp.Stdout); // not even an ICMP answer
        // The same scan from the LAN finds the web UI and DNS: the scan itself works.
        var lan = lab.RunIn(lab.Phone.Namespace, $"nmap -Pn -n -sT -p 53,80 -oG - {Lan}", TimeSpan.FromSeconds(60));
        Assert.Contains("80/open/", lan.Stdout);
    }

    [Fact]
    public void Secrets_and_state_are_private_to_root_and_dnsmasq_reads_only_its_files()
    {
        const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(Rw | UnixFileMode.UserExecute, File.GetUnixFileMode(lab.StateDir));
        foreach (var f in Directory.GetFiles(lab.StateDir))
            Assert.True((File.GetUnixFileMode(f) & ~Rw) == 0, $"{f} is {File.GetUnixFileMode(f)}");
        Assert.True(File.Exists(Path.Combine(lab.StateDir, "settings.db.good.json")), "the last good copy");
        Assert.Equal(Rw | UnixFileMode.UserExecute | UnixFileMode.GroupExecute, File.GetUnixFileMode(lab.RunDir));
        var readable = new[] { "dnsmasq.hosts", "dnsmasq.servers" };
        foreach (var f in Directory.GetFiles(lab.RunDir).Concat(Directory.GetDirectories(lab.RunDir)))
        {
            var mode = File.GetUnixFileMode(f);
            var allowed = readable.Contains(Path.GetFileName(f)) ? Rw | UnixFileMode.GroupRead
                : Directory.Exists(f) || Path.GetFileName(f).EndsWith(".hook") || Path.GetFileName(f).EndsWith(".sh") ? Rw | UnixFileMode.UserExecute : Rw;
            Assert.True((mode & ~allowed) == 0, $"{f} is {mode}");
        }
        var user = lab.RunIn(lab.RouterNs, $"ps -o user= -p {lab.DnsmasqPid()}").Stdout.Trim();
        Assert.Equal("nobody", user);
    }
}
