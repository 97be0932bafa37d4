using System.Diagnostics;
using System.Text.Json.Nodes;
using Routerd.Lab;
using Routerd.NetnsTests;
using Routerd.Vm;

namespace Routerd.Bench;

/// <summary>`./build.sh bench upgrade` (issue 22): the x86-64 image in QEMU (TCG) between the lab's
/// ISP and clients, as the image tier boots it (ImageBoot, the same bundles: UpgradeBundles), one
/// run: a plain reboot through the web API, then a broken N.1 installed and its try (the fall-back
/// to N), then N.2 uploaded, installed and rebooted into. The phone pings the ISP's host every
/// 100 ms through the plain reboot and through the whole upgrade (upload → reboot → N.2 serving):
/// the ratio of the two longest gaps is what an upgrade costs an owner beyond a reboot. Figures
/// only; a step that fails ends the run with the step's name.</summary>
static class UpgradeBench
{
    const string Board = "x86-64";
    const string Ssid = "routerd-bench-upgrade";
    static readonly TimeSpan BootLimit = TimeSpan.FromSeconds(480);

    public static Report Run(string image, string releaseBundle) => RunAsync(image, releaseBundle).GetAwaiter().GetResult();

    static async Task<Report> RunAsync(string image, string releaseBundle)
    {
        if (!File.Exists(image) || !File.Exists(releaseBundle)) throw new FileNotFoundException($"the image or its bundle is missing: {image}, {releaseBundle}");
        var problems = ImageVm.Problems();
        if (problems.Count > 0) throw new InvalidOperationException("the upgrade benchmark cannot run here:\n  - " + string.Join("\n  - ", problems));
        var clock = Stopwatch.StartNew();
        void Note(string m) => Console.Error.WriteLine($"bench upgrade +{clock.Elapsed.TotalSeconds:0}s: {m}");
        async Task<T> Step<T>(string name, Func<Task<T>> step)
        {
            Note(name);
            try { return await step(); }
            catch (Exception e) { throw new InvalidOperationException($"step '{name}' failed: {e.Message}", e); }
        }
        Task Do(string name, Func<Task> step) => Step(name, async () => { await step(); return 0; });

        // The image tier's lab: a 2-minute ISP lease (a first boot's lease report can be lost while
        // routerd hashes the first-boot password under TCG; the renewal reports it again).
        using var lab = Lab.Lab.Create(new LabOptions { StartRouterd = false, Log = Note, IspLeaseTime = "2m" });
        // PBKDF2 takes 10-30 s per hash in a TCG guest.
        var browser = new LanBrowser(lab, lab.Phone) { MaxTimeSeconds = 240 };
        var made = Task.Run(() => UpgradeBundles.Make(image, Path.Combine(lab.Dir, "bundles"), Note));
        var vm = ImageBoot.Start(Board, image, lab);
        string consoles = "";
        var r = new Report("upgrade");
        try
        {
            await Do("first boot reaches routerd-status", () => vm.WaitForConsole(ImageBoot.StatusLine(), 1, BootLimit));
            await Do("client lease", () => lab.WaitForLeases(TimeSpan.FromSeconds(90)));
            await Do("web login with the forced change", async () =>
            {
                Expect(await browser.Login("admin"), 200, "first login");
                Expect(await browser.ChangePassword("admin", LanBrowser.KnownPassword, LanBrowser.KnownPassword), 204, "password change");
                Expect(await browser.Login(LanBrowser.KnownPassword), 200, "login with the new password");
            });
            // The owner's setting, changed before everything the run does to the box.
            await Do("Wi-Fi name changed through the API", async () =>
            {
                var settings = (await browser.Get("/api/settings")).Json ?? throw new InvalidOperationException("GET /api/settings gave nothing");
                settings["wifi"]!["ssid"] = Ssid;
                var put = await browser.Send("PUT", "/api/settings", settings);
                if (put.Status is not (200 or 204)) throw new InvalidOperationException($"PUT /api/settings: {put}");
            });
            var bundles = await Step("update bundles made from the image's root slot", () => made);
            await Do("N serving with its slot marked good", () => Serving(bundles.Running, "A", good: true));

            // A plain reboot, measured like the upgrade: from the request to N serving again.
            var ping = await Step("phone pinging the ISP's host", () => PingGaps.Start(lab, lab.Phone));
            var plainClock = Stopwatch.StartNew();
            await Do("plain reboot through the web API", async () => { await Reboot("console-reboot.log"); await Serving(bundles.Running, "A"); });
            double plainServingS = plainClock.Elapsed.TotalSeconds;
            var plain = await Step("forwarding back after the plain reboot", () => ping.StopWhenRestored(lab, PingGaps.NowUnix(), TimeSpan.FromSeconds(240)));
            Note($"plain reboot: longest gap {plain.LongestGapS:0.0} s, {plain.Lost} replies lost, N serving after {plainServingS:0} s");

            // Fall-back: the broken N.1's first boot (QEMU started on the disk whose next boot is slot
            // B) to N answering GET /api/firmware again, with nothing from outside in between.
            await Do("broken N.1 installed through the web API", () => Install(bundles.Broken, bundles.BrokenVersion));
            double fallbackS = await Step("broken N.1's try and the fall-back to N", async () =>
            {
                var post = await browser.Send("POST", "/api/system/reboot");
                if (post.Status is not (200 or 202 or 204)) throw new InvalidOperationException($"POST /api/system/reboot: {post}");
                EndBoot();
                var fallback = Stopwatch.StartNew();
                vm = ImageBoot.Boot(Board, image, lab, "console-failed-try.log");
                EndBoot();
                vm = ImageBoot.Boot(Board, image, lab, "console-fallback.log");
                var f = await Serving(bundles.Running, "A");
                double s = fallback.Elapsed.TotalSeconds;
                if ((string?)f["lastUpdate"]?["state"] != "fell-back") throw new InvalidOperationException($"N serves again but does not report the fall-back: {f.ToJsonString()}");
                return s;
            });
            await Do("N marks its slot good again", () => Serving(bundles.Running, "A", good: true));

            // The upgrade: upload start → N.2 answering GET /api/firmware from slot B.
            var before = await Step("settings before the upgrade", () => Settings());
            if ((string?)before["wifi"]?["ssid"] != Ssid) throw new InvalidOperationException($"the Wi-Fi name set at the start is gone before the upgrade: {before["wifi"]?.ToJsonString()}");
            ping = await Step("phone pinging the ISP's host", () => PingGaps.Start(lab, lab.Phone));
            var total = Stopwatch.StartNew();
            await Do("N.2 uploaded and installed through the web API", () => Install(bundles.Next, bundles.NextVersion));
            double installedS = total.Elapsed.TotalSeconds;
            await Do("reboot into N.2", () => Reboot("console-upgraded.log"));
            double consoleS = total.Elapsed.TotalSeconds;
            await Do("N.2 serving from slot B", () => Serving(bundles.NextVersion, "B"));
            double upgradeTotalS = total.Elapsed.TotalSeconds;
            var upgrade = await Step("forwarding back after the upgrade", () => ping.StopWhenRestored(lab, PingGaps.NowUnix(), TimeSpan.FromSeconds(240)));
            Note($"upgrade: longest gap {upgrade.LongestGapS:0.0} s, {upgrade.Lost} replies lost, N.2 serving after {upgradeTotalS:0} s");
            var after = await Step("settings after the upgrade", () => Settings());
            var lost = Differences(before, after);

            if (plain.LongestGapS <= 0) throw new InvalidOperationException("the plain reboot showed no gap in the replies: the measurement saw nothing");
            r.Add("bundle_bytes", "update bundle (release build, zstd 10)", new FileInfo(releaseBundle).Length, "B");
            r.Add("plain_reboot_downtime_s", "plain reboot: longest gap in replies", plain.LongestGapS, "s");
            r.Add("upgrade_downtime_s", "upgrade: longest gap in replies", upgrade.LongestGapS, "s");
            r.Add("upgrade_downtime_ratio", "upgrade / plain reboot, longest gap", upgrade.LongestGapS / plain.LongestGapS, "", Target.Max(1.2));
            r.Add("upgrade_total_s", "upload start → N.2 serving (GET /api/firmware)", upgradeTotalS, "s");
            r.Add("fallback_s", "broken N.1's first boot → N serving again", fallbackS, "s");
            r.Add("settings_lost", "owner's settings changed by the upgrade (keys)", lost.Count, "", Target.Max(0));
            r.Detail("downtime_measure", "longest gap between two ping replies (s), the phone pinging the ISP's host every 100 ms through the router; lost replies × 0.1 s below");
            r.Detail("plain_reboot_lost_replies", plain.Lost);
            r.Detail("plain_reboot_lost_s", Math.Round(plain.LostS, 1));
            r.Detail("upgrade_lost_replies", upgrade.Lost);
            r.Detail("upgrade_lost_s", Math.Round(upgrade.LostS, 1));
            r.Detail("upgrade_lost_ratio", plain.Lost > 0 ? Math.Round((double)upgrade.Lost / plain.Lost, 3) : null);
            r.Detail("plain_reboot_serving_s", Math.Round(plainServingS, 1));
            r.Detail("upgrade_installed_s", Math.Round(installedS, 1));
            r.Detail("upgrade_rebooted_s", Math.Round(consoleS, 1));
            r.Detail("uploaded_bundle_bytes", new FileInfo(bundles.Next).Length);
            r.Detail("settings_lost_keys", new JsonArray(lost.Select(k => (JsonNode)k).ToArray()));
            r.Detail("versions", $"{bundles.Running} → broken {bundles.BrokenVersion} (fell back) → {bundles.NextVersion}");
            r.Detail("conditions", "x86-64 image under QEMU TCG (q35 + OVMF, 2 vCPUs): the seconds are slow, the ratio is the point. "
                + "One upgrade and one plain reboot per run: each gap carries a few seconds of noise (the guest's shutdown, OVMF, the WAN's lease). "
                + "Serving = GET /api/firmware answers with the version and slot, after a fresh login (a PBKDF2 hash, 10-30 s under TCG). "
                + "QEMU runs with -no-reboot: each reboot ends it and the harness boots the disk again at once. "
                + "The uploaded N.2 is the image tier's test bundle (zstd 3, root shrunk), not the release bundle of bundle_bytes.");
        }
        finally
        {
            consoles += vm.Console();
            vm.Dispose();
            string keep = Path.Combine(RouterdCommand.RepoRoot(), "bench", "results", "upgrade-console.log");
            Directory.CreateDirectory(Path.GetDirectoryName(keep)!);
            File.WriteAllText(keep, consoles);
            Note($"the guest's consoles, every boot: {keep}");
        }
        return r;

        // The guest powers off into a reboot (QEMU runs with -no-reboot): waits for that, keeps its console.
        void EndBoot()
        {
            if (!vm.WaitForExit(BootLimit)) throw new TimeoutException($"the guest did not reboot within {BootLimit.TotalSeconds:0} s\n{vm.Tail(30)}");
            consoles += vm.Console();
            vm.Dispose();
        }

        async Task Reboot(string consoleName)
        {
            var post = await browser.Send("POST", "/api/system/reboot");
            if (post.Status is not (200 or 202 or 204)) throw new InvalidOperationException($"POST /api/system/reboot: {post}");
            EndBoot();
            vm = ImageBoot.Boot(Board, image, lab, consoleName);
        }

        // Until GET /api/firmware says version/slot (and the slot good, if asked): the console's
        // status line first (cheap, and it fails at once if QEMU ends), then a login (sessions do not
        // outlive a reboot) and the API.
        async Task<JsonNode> Serving(string version, string slot, bool good = false)
        {
            await vm.WaitForConsole(ImageBoot.StatusLine(), 1, BootLimit);
            JsonNode? f = null;
            await lab.WaitFor(async () =>
            {
                var a = await browser.Get("/api/firmware");
                if (a.Status == 401) { Expect(await browser.Login(LanBrowser.KnownPassword), 200, "login"); a = await browser.Get("/api/firmware"); }
                f = a.Json;
                if (a.Status == 200 && (string?)f?["runningVersion"] == version && (string?)f?["bootedSlot"] == slot && (!good || (string?)f?["bootCheck"] == "good")) return true;
                if (a.Status == 200 && ((string?)f?["runningVersion"] != version || (string?)f?["bootedSlot"] != slot))
                    throw new InvalidOperationException($"the box runs {f?["runningVersion"]} from slot {f?["bootedSlot"]}, not {version} from {slot}: {f?.ToJsonString()}");
                await Task.Delay(1000);
                return false;
            }, TimeSpan.FromMinutes(5), $"{version} serving from slot {slot}{(good ? ", marked good" : "")}");
            return f!;
        }

        // Posts a bundle and waits until RAUC has written it to the other slot.
        async Task Install(string bundle, string version)
        {
            browser.MaxTimeSeconds = 600;
            var post = await browser.Send("POST", "/api/firmware", binaryFile: bundle);
            browser.MaxTimeSeconds = 240;
            if (post.Status != 202) throw new InvalidOperationException($"POST /api/firmware ({version}): {post}");
            await lab.WaitFor(async () =>
            {
                var f = (await browser.Get("/api/firmware")).Json ?? throw new InvalidOperationException("GET /api/firmware gave nothing");
                string? state = (string?)f["job"]?["state"];
                if (state is "failed" or "refused") throw new InvalidOperationException($"the install ended {state}: {f.ToJsonString()}");
                if (state == "installed" && (string?)f["other"]?["version"] != version) throw new InvalidOperationException($"the other slot after the install: {f.ToJsonString()}");
                // Each GET runs `rauc status` in the TCG guest: every 2 s, not faster.
                if (state != "installed") await Task.Delay(2000);
                return state == "installed";
            }, TimeSpan.FromMinutes(15), $"the install of {version}");
        }

        async Task<JsonNode> Settings()
        {
            var a = await browser.Get("/api/settings");
            return a.Status == 200 && a.Json is { } j ? j : throw new InvalidOperationException($"GET /api/settings: {a}");
        }
    }

    static void Expect(WebAnswer a, int status, string what)
    {
        if (a.Status != status) throw new InvalidOperationException($"{what}: {a}");
    }

    /// <summary>The leaf keys (JSON paths) whose values differ between two settings documents,
    /// present in one only included.</summary>
    static List<string> Differences(JsonNode before, JsonNode after)
    {
        var a = Leaves(before, "");
        var b = Leaves(after, "");
        return a.Keys.Union(b.Keys).Where(k => a.GetValueOrDefault(k) != b.GetValueOrDefault(k)).Order(StringComparer.Ordinal).ToList();
    }

    static Dictionary<string, string> Leaves(JsonNode? node, string path) => node switch
    {
        JsonObject o => o.SelectMany(p => Leaves(p.Value, path.Length == 0 ? p.Key : $"{path}.{p.Key}")).ToDictionary(),
        JsonArray a when a.Count > 0 => a.SelectMany((v, i) => Leaves(v, $"{path}[{i}]")).ToDictionary(),
        _ => new() { [path] = node?.ToJsonString() ?? "null" },
    };
}
