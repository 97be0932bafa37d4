using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Routerd.Lab;
using Routerd.NetnsTests;
using Routerd.Vm;
using Xunit;

namespace Routerd.ImageTests;

/// <summary>One boot sequence of a board's image that every check of the tier reads from: the
/// image copied to a 2 GiB disk and booted (x86-64: the whole disk under OVMF; rpi4: its root slot
/// on -M virt) with its WAN port on the lab's ISP cable and its LAN port on the clients'; first boot → lease, NAT, web login with the forced change,
/// a port scan from the ISP, the WAN switched to PPPoE → reboot through the web API with the WAN
/// cabled to a PPPoE ISP (the lab VM) → the settings still there, NAT over PPP → power off →
/// the disk read from outside. A step that fails is recorded and the rest still run where they can.</summary>
public abstract class ImageRun(string board) : IAsyncLifetime
{
    /// <summary>Whether the sequence goes on past the first boot: settings changed, the WAN
    /// switched to PPPoE, a reboot onto the PPPoE ISP.</summary>
    protected virtual bool RebootAndPppoe => true;
    /// <summary>After the reboot: the upgrade to N+1 through the web API (x86-64).</summary>
    protected virtual bool Upgrades => false;

    public const long DiskBytes = ImageBoot.DiskBytes;
    const string Ssid = "routerd-image-test";
    const string PppoeUser = "image-user@isp.test", PppoePassword = "image pppoe secret";
    static readonly TimeSpan BootLimit = TimeSpan.FromSeconds(Environment.GetEnvironmentVariable("ROUTERD_IMAGE_BOOT_S") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 480);

    public string Board => board;
    public string Image { get; } = FindImage(board);
    public Dictionary<string, string> Status1 { get; private set; } = [];
    public Dictionary<string, string> Status2 { get; private set; } = [];
    /// <summary>Each check's outcome: null = passed, else why it failed.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string?> Checks { get; } = [];
    public string Log { get; private set; } = "";

    readonly List<string> log = [];
    readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    string StepsPath => StepsCopy(board);

    /// <summary>Each step with the run's elapsed seconds, also kept beside the consoles
    /// (tests/results/image/BOARD-steps.log) as it happens: where the tier's time goes.</summary>
    void Note(string m)
    {
        string line = $"{DateTime.UtcNow:HH:mm:ss} +{clock.Elapsed.TotalSeconds:0}s {m}";
        lock (log)
        {
            log.Add(line);
            File.AppendAllText(StepsPath, line + "\n");
        }
        Console.Error.WriteLine($"image: {m}");
    }

    public static string FindImage(string board)
    {
        string env = board == "x86-64" ? "ROUTERD_IMAGE" : "ROUTERD_IMAGE_RPI4";
        if (Environment.GetEnvironmentVariable(env) is { Length: > 0 } path) return Path.GetFullPath(path);
        string dir = Path.Combine(RouterdCommand.RepoRoot(), "artifacts", "image");
        var newest = Directory.Exists(dir)
            ? Directory.GetFiles(dir, $"routerd-{board}-*.img").OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        return newest ?? Path.Combine(dir, $"routerd-{board}-VERSION.img");
    }

    async Task Check(string name, Func<Task> step)
    {
        try { await step(); Checks[name] = null; Note($"ok: {name}"); }
        catch (Exception e) { Checks[name] = e.Message; Note($"FAILED: {name}: {e.Message}"); }
    }

    public async Task InitializeAsync()
    {
        var problems = ImageVm.Problems().ToList();
        if (!File.Exists(Image)) problems.Add($"no {board} image at {Image}: build it with `sudo ./build.sh image {board}`");
        if (problems.Count > 0) throw new InvalidOperationException("the image tier cannot run here:\n  - " + string.Join("\n  - ", problems));
        File.Delete(StepsPath);
        clock.Restart();

        // A 2-minute ISP lease: the WAN's DHCP client renews within a minute and reports again. Under
        // TCG a first boot's routerd is busy hashing the first-boot password for longer than the
        // hook's 10 s, and the first report of the lease can be lost (see the report of issue 17).
        using var lab = Lab.Lab.Create(new LabOptions { StartRouterd = false, Log = Note, IspLeaseTime = "2m" });
        var before = ImageBoot.Partitions(Image);
        string rootHashBefore = Hash(Image, before[1]);
        Note($"booting {Path.GetFileName(Image)} on a {DiskBytes >> 20} MiB disk");

        // PBKDF2 with 600 000 rounds takes 10-30 s per hash in a TCG guest on a busy machine.
        var browser = new LanBrowser(lab, lab.Phone) { MaxTimeSeconds = 240 };
        string disk = Path.Combine(lab.Dir, "disk.img");
        var vm = ImageBoot.Start(board, Image, lab);
        ImageVm? isp = null;
        // The upgrade's bundles are packed from the image under test while the first boot runs.
        string? upgradedTo = null;
        var bundles = Upgrades ? Task.Run(() => UpgradeBundles.Make(Image, Path.Combine(lab.Dir, "bundles"), Note)) : null;
        try
        {
            await Check("first boot reaches routerd-status", async () =>
            {
                var m = await vm.WaitForConsole(ImageBoot.StatusLine(), 1, BootLimit);
                Status1 = ImageBoot.Fields(m.Groups[1].Value);
                Note($"first boot after {vm.Clock.Elapsed.TotalSeconds:0} s: {m.Groups[1].Value}");
            });
            await Check("client lease", async () => await lab.WaitForLeases(TimeSpan.FromSeconds(90)));
            await Check("NAT to the ISP's host", () => PhoneReachesInternetHost(lab, "over DHCP"));
            // The scan comes from the ISP's side and the login from the LAN's: they are independent,
            // and the login is mostly the guest hashing passwords (four PBKDF2 runs, ~40 s under
            // TCG) while the scan mostly waits for its rate, so they run together.
            var login = Check("web login with the forced change", async () =>
            {
                var a = await browser.Login("admin");
                if (a.Status != 200 || !(bool)a.Json!["mustChangePassword"]!) throw new InvalidOperationException($"first login: {a}");
                var c = await browser.ChangePassword("admin", LanBrowser.KnownPassword, LanBrowser.KnownPassword);
                if (c.Status != 204) throw new InvalidOperationException($"password change: {c}");
                var again = await browser.Login(LanBrowser.KnownPassword);
                if (again.Status != 200) throw new InvalidOperationException($"login with the new password: {again}");
            });
            var scan = Check("no open port seen from the ISP", async () =>
            {
                string wan = IspLeaseOfRouter(lab, board == "x86-64" ? "52:54:00:12:00:01" : "52:54:00:12:00:02") ?? throw new InvalidOperationException("the ISP leased no address to the router");
                var r = await Task.Run(() => lab.RunIn(lab.IspNs, $"nmap -n -Pn -sS -p- --min-rate 4000 --max-retries 1 -oG - {wan}", TimeSpan.FromMinutes(3)));
                Note($"nmap {wan}: {r.Stdout.Split('\n').FirstOrDefault(l => l.Contains("Ports:") || l.Contains("Status:"))?.Trim()}");
                if (!r.Ok) throw new InvalidOperationException($"nmap failed: {r}");
                if (r.Stdout.Contains("/open/")) throw new InvalidOperationException($"open ports on the WAN: {r.Stdout}");
                var u = await Task.Run(() => lab.RunIn(lab.IspNs, $"nmap -n -Pn -sU -p 53,67,68,69,123,137,161,500,1900,5353 --max-retries 1 -oG - {wan}", TimeSpan.FromMinutes(2)));
                if (u.Stdout.Contains("/open/")) throw new InvalidOperationException($"open UDP ports on the WAN: {u.Stdout}");
            });
            await Task.WhenAll(login, scan);
            // The x86-64 run goes on through a reboot onto PPPoE; the rpi4 run on -M virt stops here
            // (the Pi's own boot path is the raspi3b test's; a second arm64 boot under TCG costs
            // minutes of the tier's budget and proves nothing the x86-64 run does not).
            // x86-64 (one boot sequence for everything, issue 22 included): refusals and the broken
            // N.1 installed on N → reboot onto PPPoE: N.1's try fails and the box falls back to N
            // by itself → N's settings, PPPoE and the fall-back's explanation → a power cut while N.2 is
            // written to B, and N boots from A again → N.2 installed →
            // reboot → N.2 runs and marks itself good.
            if (RebootAndPppoe)
            {
                UpgradeBundles? made = null;
                if (Upgrades) await Check("update bundles made from the image's root slot", async () => made = await bundles!);
                if (made is not null) await RefuseThenInstallBroken(made);
                await RebootOntoPppoe();
                if (made is not null) await FallBackReportedThenUpgrade(made);
            }

            // Reboots the guest through the web API: QEMU runs with -no-reboot, so the guest's reboot
            // ends it and the disk boots again; returns the new boot's status line. failedTry: the
            // boot after the reboot is a broken update's try, which must give up and reboot by
            // itself (routerd-boot-trial); its console is returned through the callback.
            async Task<Dictionary<string, string>> RebootThroughTheApi(string consoleName, Action? whileDown = null, Action<string>? failedTry = null)
            {
                var r = await browser.Send("POST", "/api/system/reboot");
                if (r.Status is not (200 or 202 or 204)) throw new InvalidOperationException($"POST /api/system/reboot: {r}");
                if (!vm.WaitForExit(BootLimit)) throw new TimeoutException($"the guest did not reboot within {BootLimit.TotalSeconds:0} s\n{vm.Tail()}");
                Log += vm.Console();
                vm.Dispose();
                whileDown?.Invoke();
                if (failedTry is not null)
                {
                    vm = ImageBoot.Boot(board, Image, lab, "console-failed-try.log");
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    // Nothing from outside: the box gives up on the slot and reboots by itself.
                    bool rebooted = vm.WaitForExit(BootLimit);
                    string tried = vm.Console();
                    Log += tried;
                    vm.Dispose();
                    if (!rebooted) throw new TimeoutException($"the broken update's try did not end in a reboot within {BootLimit.TotalSeconds:0} s\n{string.Join('\n', tried.Split('\n').TakeLast(30))}");
                    Note($"the broken update's try rebooted by itself after {clock.Elapsed.TotalSeconds:0} s");
                    failedTry(tried);
                }
                vm = ImageBoot.Boot(board, Image, lab, consoleName);
                var m = await vm.WaitForConsole(ImageBoot.StatusLine(), 1, BootLimit);
                Note($"{consoleName}: {m.Groups[1].Value}");
                return ImageBoot.Fields(m.Groups[1].Value);
            }

            async Task<JsonNode> Firmware() => (await browser.Get("/api/firmware")).Json ?? throw new InvalidOperationException("GET /api/firmware gave nothing");

            // Waits until this boot passed its health check and marked its slot good; GET /api/firmware then.
            async Task<JsonNode> MarkedGood(string what)
            {
                JsonNode? f = null;
                await lab.WaitFor(async () =>
                {
                    if ((string?)(f = await Firmware())["bootCheck"] == "good") return true;
                    await Task.Delay(5000);
                    return false;
                }, TimeSpan.FromMinutes(5), what);
                return f!;
            }

            // Posts a bundle and waits until RAUC has written it to the other slot.
            async Task Install(string bundle, string version)
            {
                browser.MaxTimeSeconds = 600;
                var r = await browser.Send("POST", "/api/firmware", binaryFile: bundle);
                browser.MaxTimeSeconds = 240;
                if (r.Status != 202) throw new InvalidOperationException($"POST /api/firmware ({version}): {r}");
                JsonNode? f = null;
                await lab.WaitFor(async () =>
                {
                    f = await Firmware();
                    string? state = (string?)f["job"]?["state"];
                    if (state is "failed" or "refused") throw new InvalidOperationException($"the install ended {state}: {f.ToJsonString()}");
                    // Each GET runs `rauc status` in the TCG guest: ask every few seconds, not every 100 ms.
                    if (state != "installed") await Task.Delay(5000);
                    return state == "installed";
                }, TimeSpan.FromMinutes(15), $"the install of {version}");
                if ((string?)f?["other"]?["version"] != version) throw new InvalidOperationException($"the other slot after the install: {f!.ToJsonString()}");
            }

            async Task RefuseThenInstallBroken(UpgradeBundles bundles)
            {
                await Check("a tampered bundle is refused", async () =>
                {
                    var r = await browser.Send("POST", "/api/firmware", binaryFile: bundles.Tampered);
                    if (r.Status != 400 || (string?)r.Json?["code"] != "firmware/BAD_SIGNATURE") throw new InvalidOperationException($"POST /api/firmware (tampered): {r}");
                });
                await Check("an rpi4 bundle is refused", async () =>
                {
                    var r = await browser.Send("POST", "/api/firmware", binaryFile: bundles.OtherBoard);
                    if (r.Status != 400 || (string?)r.Json?["code"] != "firmware/WRONG_BOARD") throw new InvalidOperationException($"POST /api/firmware (rpi4): {r}");
                });
                await Check("nothing was written by the refused bundles", async () =>
                {
                    var f = await Firmware();
                    if ((string?)f["bootedSlot"] != "A" || f["other"]?["version"] is not null || (string?)f["job"]?["state"] != "refused")
                        throw new InvalidOperationException($"GET /api/firmware after the refusals: {f.ToJsonString()}");
                    if ((string?)f["bootCheck"] != "good") throw new InvalidOperationException($"version N did not mark its slot good: {f.ToJsonString()}");
                });
                await Check("a broken N+1 is installed through the web API", () => Install(bundles.Broken, bundles.BrokenVersion));
            }

            async Task FallBackReportedThenUpgrade(UpgradeBundles bundles)
            {
                await Check("after the broken N+1's try the box is back on N and says why", async () =>
                {
                    if (!Checks.ContainsKey("broken N+1 gives up and reboots by itself")) throw new InvalidOperationException("the broken N+1 never got its try");
                    if (Status2.GetValueOrDefault("version") != bundles.Running) throw new InvalidOperationException($"the boot after the broken try runs {Status2.GetValueOrDefault("version")}, not {bundles.Running}");
                    var f = await MarkedGood("N marking its slot good again");
                    string? message = (string?)f["lastUpdate"]?["message"];
                    string expected = $"The update to {bundles.BrokenVersion} did not start correctly; the router went back to {bundles.Running}: routerd kept exiting at start";
                    if ((string?)f["bootedSlot"] != "A" || (string?)f["runningVersion"] != bundles.Running || (string?)f["lastUpdate"]?["state"] != "fell-back"
                        || message?.StartsWith(expected, StringComparison.Ordinal) != true)
                        throw new InvalidOperationException($"GET /api/firmware after the fall-back: {f.ToJsonString()} (expected the message '{expected}.')");
                    Note($"after the fall-back: {message}");
                });
                await PowerCutWhileWriting(bundles);
                // The good install rewrites the slot the power cut left half-written.
                await Check("N+1 installed through the web API", () => Install(bundles.Next, bundles.NextVersion));
                await Check("N+1 boots, keeps the owner's settings and marks itself good", async () =>
                {
                    var status = await RebootThroughTheApi("console3.log");
                    if (status.GetValueOrDefault("version") != bundles.NextVersion) throw new InvalidOperationException($"the reboot after the install runs {status.GetValueOrDefault("version")}, not {bundles.NextVersion}");
                    browser.Forget();
                    await lab.WaitFor(async () => (await browser.Login(LanBrowser.KnownPassword)).Status == 200, TimeSpan.FromSeconds(240), "login on N+1");
                    string? ssid = (string?)(await browser.Get("/api/settings")).Json?["wifi"]?["ssid"];
                    if (ssid != Ssid) throw new InvalidOperationException($"wifi.ssid on N+1 is '{ssid}', not '{Ssid}'");
                    var f = await MarkedGood("N+1 marking its slot good");
                    if ((string?)f["runningVersion"] != bundles.NextVersion || (string?)f["bootedSlot"] != "B"
                        || (string?)f["lastUpdate"]?["state"] != "updated" || (string?)f["lastUpdate"]?["message"] != $"Updated to {bundles.NextVersion} (from {bundles.Running}).")
                        throw new InvalidOperationException($"GET /api/firmware on N+1: {f.ToJsonString()}");
                    Note($"N+1: {f.ToJsonString()}");
                });
                upgradedTo = bundles.NextVersion;
            }

            // Issue 22: the power fails while N+1 is being written to slot B. N+1 is uploaded as the
            // owner does; once the install reports that RAUC is copying the image into the slot, QEMU
            // is SIGKILLed (ImageVm.Dispose closes qemu-guard.sh's stdin and the guard kills -9): the
            // guest's unwritten page cache is lost as in a power cut. The same disk then boots: the
            // boot loader must not pick the half-written slot, and N must come up from A with the
            // owner's settings and say that B is not good.
            async Task PowerCutWhileWriting(UpgradeBundles bundles)
            {
                bool cut = false;
                await Check(PowerCutDuringWrite, async () =>
                {
                    browser.MaxTimeSeconds = 600;
                    var r = await browser.Send("POST", "/api/firmware", binaryFile: bundles.Next);
                    browser.MaxTimeSeconds = 240;
                    if (r.Status != 202) throw new InvalidOperationException($"POST /api/firmware ({bundles.NextVersion}): {r}");
                    // Every change of the job seen, for the message: what the install said before the cut.
                    var seen = new List<string>();
                    var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
                    while (true)
                    {
                        // No pause between requests: RAUC reports no percentage while it copies, only the
                        // step ("Copying image to rootfs.1") until it ends, and the copy lasts seconds.
                        var job = (await Firmware())["job"];
                        string? state = (string?)job?["state"], step = (string?)job?["progress"]?["step"], detail = (string?)job?["progress"]?["detail"];
                        int? percent = (int?)job?["progress"]?["percent"];
                        string now = $"{state} {step} {percent}% {detail}".Trim();
                        if (seen.LastOrDefault() != now) seen.Add(now);
                        if (state == "installing" && step == "writing" && percent is > 0 and < 100
                            && detail?.StartsWith("Copying image to ", StringComparison.Ordinal) == true && !detail.EndsWith("done.", StringComparison.Ordinal))
                            break;
                        bool missed = state != "installing" || step == "verifying";
                        if (missed || DateTime.UtcNow > deadline)
                        {
                            // Not caught writing: let the install end, so the steps after this one find
                            // the updater idle, and say what was seen instead.
                            await lab.WaitFor(async () => (string?)(await Firmware())["job"]?["state"] != "installing", TimeSpan.FromMinutes(10), "the install's end");
                            throw new InvalidOperationException($"the install was not seen writing the slot ({(missed ? "it went past the copy between two requests" : "no copy within 10 min")}); seen: {string.Join(" → ", seen)}");
                        }
                    }
                    Log += vm.Console();
                    vm.Dispose();
                    cut = true;
                    Note($"power cut while writing slot B; the job seen: {string.Join(" → ", seen)}");
                });
                await Check(PowerCutBootsN, async () =>
                {
                    if (!cut) throw new InvalidOperationException("no power cut was made (the install was not caught writing)");
                    // What the boot loader reads at the next power-on, from the disk itself.
                    var env = Grubenv(disk);
                    string envText = string.Join(' ', env.Select(kv => $"{kv.Key}={kv.Value}"));
                    if (env.GetValueOrDefault("B_OK") != "0") throw new InvalidOperationException($"grubenv after the power cut lets slot B boot: {envText}");
                    vm = ImageBoot.Boot(board, Image, lab, "console-power-cut.log");
                    var m = await vm.WaitForConsole(ImageBoot.StatusLine(), 1, BootLimit);
                    var status = ImageBoot.Fields(m.Groups[1].Value);
                    if (status.GetValueOrDefault("version") != bundles.Running || !vm.Console().Contains("Booting `routerd slot A'", StringComparison.Ordinal))
                        throw new InvalidOperationException($"the boot after the power cut (grubenv {envText}): {m.Groups[1].Value}\n{vm.Landmarks()}");
                    browser.Forget();
                    await lab.WaitFor(async () => (await browser.Login(LanBrowser.KnownPassword)).Status == 200, TimeSpan.FromSeconds(240), "login after the power cut");
                    var settings = (await browser.Get("/api/settings")).Json;
                    if ((string?)settings?["wifi"]?["ssid"] != Ssid || (string?)settings?["wan"]?["mode"] != "pppoe")
                        throw new InvalidOperationException($"the settings after the power cut: wifi.ssid '{settings?["wifi"]?["ssid"]}', wan.mode '{settings?["wan"]?["mode"]}'");
                    var f = await MarkedGood("N marking its slot good after the power cut");
                    if ((string?)f["bootedSlot"] != "A" || (string?)f["runningVersion"] != bundles.Running
                        || (string?)f["other"]?["slot"] != "B" || (string?)f["other"]?["bootStatus"] == "good" || (string?)f["job"]?["state"] == "installing")
                        throw new InvalidOperationException($"GET /api/firmware after the power cut: {f.ToJsonString()} (grubenv {envText})");
                    Note($"after the power cut: {m.Groups[1].Value.Trim()}; grubenv {envText}; GET /api/firmware {f.ToJsonString()}");
                });
            }

            // The broken N+1's try, read from its console: routerd-boot-trial gave up on slot B.
            void BrokenTry(string console)
            {
                Checks["broken N+1 gives up and reboots by itself"] =
                    console.Contains("routerd-boot-trial: ", StringComparison.Ordinal) && console.Contains("on slot B failed (routerd kept exiting at start): marking it bad and rebooting into slot A", StringComparison.Ordinal)
                        ? null
                        : $"no routerd-boot-trial line on the broken try's console:\n{string.Join('\n', console.Split('\n').TakeLast(30))}";
                Note($"{(Checks["broken N+1 gives up and reboots by itself"] is null ? "ok" : "FAILED")}: broken N+1 gives up and reboots by itself");
            }

            async Task RebootOntoPppoe()
            {
                await Check("setting changed through the API", async () =>
                {
                    // The Wi-Fi name and the WAN: PPPoE from the next boot on, whose ISP (the lab VM,
                    // started now) is cabled to the WAN port while the router reboots.
                    var s = await browser.Get("/api/settings");
                    var settings = s.Json ?? throw new InvalidOperationException($"GET /api/settings: {s}");
                    settings["wifi"]!["ssid"] = Ssid;
                    settings["wan"]!["mode"] = "pppoe";
                    settings["wan"]!["pppoe"] = new JsonObject { ["username"] = PppoeUser, ["password"] = PppoePassword };
                    var put = await browser.Send("PUT", "/api/settings", settings);
                    if (put.Status is not (200 or 204)) throw new InvalidOperationException($"PUT /api/settings: {put}");
                    isp = ImageVm.StartPppoeIsp(lab.RouterNs, lab.Dir, PppoeUser, PppoePassword);
                });
                await Check("reboot through the web API", async () =>
                {
                    // The WAN cable moves from the DHCP ISP to the PPPoE ISP's VM while the guest is down.
                    if (isp is null) throw new InvalidOperationException("the PPPoE ISP did not start");
                    await isp.WaitForConsole(ImageVm.IspReady, 1, TimeSpan.FromSeconds(180));
                    Status2 = await RebootThroughTheApi("console2.log", () => ImageVm.Recable(lab.RouterNs, "wan0", "tapisp"),
                        failedTry: Upgrades && Checks.GetValueOrDefault("a broken N+1 is installed through the web API", "not run") is null ? BrokenTry : null);
                });
                await Check("setting survives the reboot", async () =>
                {
                    browser.Forget();
                    await lab.WaitFor(async () => (await browser.Login(LanBrowser.KnownPassword)).Status == 200, TimeSpan.FromSeconds(240), "login after the reboot");
                    var settings = (await browser.Get("/api/settings")).Json;
                    string? ssid = (string?)settings?["wifi"]?["ssid"];
                    if (ssid != Ssid) throw new InvalidOperationException($"wifi.ssid after the reboot is '{ssid}', not '{Ssid}'");
                    string? mode = (string?)settings?["wan"]?["mode"];
                    if (mode != "pppoe") throw new InvalidOperationException($"wan.mode after the reboot is '{mode}', not 'pppoe'");
                });
                await Check("PPPoE: NAT to the ISP's host over PPP", async () =>
                {
                    // The DHCP ISP is unplugged: the internet host answers only through the PPP session.
                    await PhoneReachesInternetHost(lab, "over PPPoE", () => $"\nPPPoE ISP: {isp?.Tail(20)}");
                    var status = await browser.Get("/api/status");
                    string wan = status.Json?["wan"]?.ToJsonString() ?? "";
                    if (!wan.Contains("100.64.0.53", StringComparison.Ordinal)) throw new InvalidOperationException($"the WAN's status shows no PPP address from the ISP: {wan}");
                    Note($"PPPoE WAN: {wan}");
                });
            }
        }
        finally
        {
            isp?.Dispose();
            Log += vm.Console();
            File.WriteAllText(ConsoleCopy(board), Log);
            vm.Dispose();
        }
        await Check("root slot unchanged on disk", () =>
        {
            var after = ImageBoot.Partitions(disk);
            if (Hash(disk, after[1]) != rootHashBefore) throw new InvalidOperationException("root slot A's bytes changed: it was written to");
            return Task.CompletedTask;
        });
        if (upgradedTo is { } to)
            await Check("the settings were backed up on the data partition before the slot was written", () =>
            {
                var data = ImageBoot.Partitions(disk)[3];
                string part = Path.Combine(lab.Dir, "data.ext4");
                ImageBoot.CopyPartition(disk, data, part);
                var r = CommandResult.Run(["debugfs", "-c", "-R", $"cat /firmware/settings-before-{to}.json", part], TimeSpan.FromMinutes(1));
                File.Delete(part);
                if (!r.Ok || !r.Stdout.Contains($"\"{Ssid}\"", StringComparison.Ordinal)) throw new InvalidOperationException($"no settings backup naming the owner's Wi-Fi for {to}: {r}");
                return Task.CompletedTask;
            });
        await Check("data partition grew to the disk's end", () =>
        {
            var after = ImageBoot.Partitions(disk);
            long end = after[3].Start + after[3].Size;
            if (DiskBytes - end > 4 << 20 || after[3].Size <= before[3].Size) throw new InvalidOperationException($"data partition: {before[3]} → {after[3]} on a {DiskBytes}-byte disk");
            return Task.CompletedTask;
        });
    }

    /// <summary>The phone fetches the internet host's page through the router, retrying for up to
    /// 240 s (the WAN may still be coming up).</summary>
    static async Task PhoneReachesInternetHost(Lab.Lab lab, string how, Func<string>? more = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(240);
        while (true)
        {
            var r = await Task.Run(() => lab.RunIn(lab.Phone.Namespace, $"curl -sS --max-time 10 http://{LabAddresses.InternetHost}{LabAddresses.HelloPath}", TimeSpan.FromSeconds(30)));
            if (r.Ok && r.Stdout.Contains(LabAddresses.HelloText)) return;
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"the phone did not reach the internet host {how} within 240 s: {r}{more?.Invoke()}");
            await Task.Delay(3000);
        }
    }

    /// <summary>Where the last run's serial console is kept (tests/results/image/).</summary>
    public static string ConsoleCopy(string board)
    {
        string dir = Path.Combine(RouterdCommand.RepoRoot(), "tests", "results", "image");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, $"{board}-console.log");
    }

    /// <summary>Where a run's step times are kept, beside its console.</summary>
    public static string StepsCopy(string name) => Path.Combine(Path.GetDirectoryName(ConsoleCopy(name))!, $"{name}-steps.log");

    /// <summary>The address the ISP's dnsmasq leased to the router's WAN port (by its MAC).</summary>
    static string? IspLeaseOfRouter(Lab.Lab lab, string mac)
    {
        string leases = Path.Combine(lab.Dir, "isp", "dnsmasq.leases");
        return File.Exists(leases)
            ? File.ReadAllLines(leases).Select(l => l.Split(' ')).Where(p => p.Length > 2 && p[1].Equals(mac, StringComparison.OrdinalIgnoreCase)).Select(p => p[2]).LastOrDefault()
            : null;
    }

    public const string PowerCutDuringWrite = "a power cut while N+1 is written to slot B";
    public const string PowerCutBootsN = "after the power cut the box boots N from slot A with the owner's settings and slot B not good";

    /// <summary>The boot loader's variables (RAUC's grub back-end: ORDER, A_OK, B_OK, ...) as the
    /// disk holds them: grubenv read from the ESP (partition 1) with mtools, no mount.</summary>
    static Dictionary<string, string> Grubenv(string disk)
    {
        var esp = ImageBoot.Partitions(disk)[0];
        var r = CommandResult.Run(["mtype", "-i", $"{disk}@@{esp.Start}", "::EFI/BOOT/grubenv"], TimeSpan.FromSeconds(30)).EnsureOk();
        // "# GRUB Environment Block", then KEY=value lines, then '#' padding to 1024 bytes.
        return r.Stdout.Split('\n').Where(l => !l.StartsWith('#')).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim());
    }

    static string Hash(string disk, ImageBoot.Part p)
    {
        using var f = new FileStream(disk, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        f.Position = p.Start;
        using var sha = SHA256.Create();
        var buf = new byte[1 << 20];
        long left = p.Size;
        while (left > 0)
        {
            int n = f.Read(buf, 0, (int)Math.Min(buf.Length, left));
            if (n <= 0) break;
            sha.TransformBlock(buf, 0, n, null, 0);
            left -= n;
        }
        sha.TransformFinalBlock([], 0, 0);
        return Convert.ToHexString(sha.Hash!);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>The x86-64 disk image, whole, under OVMF.</summary>
public sealed class X86ImageRun() : ImageRun("x86-64")
{
    protected override bool Upgrades => true;
}

/// <summary>The Raspberry Pi 4 image's root slot and kernel on -M virt (cortex-a72).</summary>
public sealed class Rpi4VirtImageRun() : ImageRun("rpi4")
{
    protected override bool RebootAndPppoe => false;
}
