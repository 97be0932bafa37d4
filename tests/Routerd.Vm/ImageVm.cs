using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Routerd.Lab;

namespace Routerd.Vm;

/// <summary>A whole flashable disk image booted unmodified under QEMU, the image tier's guest. It
/// runs inside a namespace the caller made (the lab's router namespace): two tap devices there are
/// the board's ports, each bridged to a lab cable, so the image routes between the lab's ISP and
/// its clients exactly like the router namespace's routerd does in the other tiers. The guest's
/// serial console goes to a file; its status lines are what the tier reads from inside. QEMU runs
/// under qemu-guard.sh like the lab VM: it never outlives this object or the process.</summary>
public sealed class ImageVm : IDisposable
{
    public const string OvmfCode = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    public const string OvmfVars = "/usr/share/OVMF/OVMF_VARS_4M.fd";

    readonly Process process;
    int disposed;
    readonly StringBuilder qemuOutput = new();
    public string ConsolePath { get; }
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    ImageVm(Process process, string consolePath)
    {
        this.process = process;
        ConsolePath = consolePath;
    }

    /// <summary>The image tier's prerequisites, each with the command that fixes it.</summary>
    public static IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Environment.IsPrivilegedProcess) problems.Add("the image tier needs root (namespaces, tap devices): run it with sudo, e.g. `sudo ./build.sh test`");
        foreach (var (file, package) in new[] { (OvmfCode, "ovmf"), (OvmfVars, "ovmf"), ("/usr/bin/qemu-system-x86_64", "qemu-system-x86"), ("/usr/bin/curl", "curl"), ("/usr/bin/nmap", "nmap"), ("/usr/sbin/sfdisk", "fdisk"), ("/usr/bin/mtype", "mtools") })
            if (!File.Exists(file)) problems.Add($"{file} is missing: apt-get install {package} (`./build.sh deps` installs it)");
        return problems;
    }

    /// <summary>Connects the image's two ports inside <paramref name="ns"/>: NIC 1 (the board's
    /// eth0) to <paramref name="firstPeer"/>, NIC 2 (eth1) to <paramref name="secondPeers"/>, each
    /// through a bridge with a tap device QEMU opens.</summary>
    public static void Wire(string ns, string firstPeer, params string[] secondPeers)
    {
        void Ip(params string[] a) => CommandResult.Run(["ip", "-n", ns, .. a], TimeSpan.FromSeconds(10)).EnsureOk();
        foreach (var (bridge, tap, peers) in new[] { ("brnic1", "tapnic1", new[] { firstPeer }), ("brnic2", "tapnic2", secondPeers) })
        {
            Ip("link", "add", bridge, "type", "bridge");
            Ip("tuntap", "add", "dev", tap, "mode", "tap");
            foreach (var port in peers.Append(tap)) Ip("link", "set", port, "master", bridge, "up");
            Ip("link", "set", bridge, "up");
        }
    }

    /// <summary>The two NICs on the taps <see cref="Wire"/> made, at fixed PCI slots: NIC 1 probes
    /// first and becomes eth0 (net.ifnames=0), as on the board. Plus a virtio RNG.</summary>
    static readonly string[] Nics =
    [
        "-netdev", "tap,id=nic1,ifname=tapnic1,script=no,downscript=no",
        "-device", "virtio-net-pci,netdev=nic1,mac=52:54:00:12:00:01,addr=0x3",
        "-netdev", "tap,id=nic2,ifname=tapnic2,script=no,downscript=no",
        "-device", "virtio-net-pci,netdev=nic2,mac=52:54:00:12:00:02,addr=0x4",
        "-device", "virtio-rng-pci",
    ];

    /// <summary>Swaps what the two NICs reach (after <see cref="Wire"/>): NIC 1 to the LAN bridge's
    /// peers and NIC 2 to the WAN, for boards whose eth0 is the LAN port (rpi4).</summary>
    public static void Rewire(string ns)
    {
        void Ip(params string[] a) => CommandResult.Run(["ip", "-n", ns, .. a], TimeSpan.FromSeconds(10)).EnsureOk();
        Ip("link", "set", "tapnic1", "master", "brnic2");
        Ip("link", "set", "tapnic2", "master", "brnic1");
    }

    /// <summary>Unplugs <paramref name="from"/> from the WAN bridge (the one <see cref="Wire"/> gave the
    /// first peer) and plugs in <paramref name="to"/>: the WAN cable moves to another ISP.</summary>
    public static void Recable(string ns, string from, string to)
    {
        void Ip(params string[] a) => CommandResult.Run(["ip", "-n", ns, .. a], TimeSpan.FromSeconds(10)).EnsureOk();
        Ip("link", "set", from, "nomaster");
        Ip("link", "set", to, "master", "brnic1", "up");
    }

    /// <summary>Boots <paramref name="disk"/> (raw, written in place) with OVMF on q35 under TCG in
    /// namespace <paramref name="ns"/>, its NICs on the taps <see cref="Wire"/> made.</summary>
    /// A reboot of the guest ends QEMU (-no-reboot): a guest-initiated reset of q35 + OVMF under
    /// TCG was seen to hang here; the caller boots the same disk again, as after a power cycle.
    public static ImageVm StartX86(string disk, string ns, string runDir, string consoleName = "console.log", int memoryMb = 1024)
    {
        string vars = Path.Combine(runDir, "OVMF_VARS.fd");
        if (!File.Exists(vars)) File.Copy(OvmfVars, vars);
        string console = Path.Combine(runDir, consoleName);
        string[] qemu =
        [
            "qemu-system-x86_64", "-name", "routerd-image",
            // No KVM here (LAB.md). The CPU is the lab VM's: x86-64-v2, faster under TCG than -cpu max.
            "-accel", "tcg,thread=multi", "-M", "q35", "-cpu", "qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt",
            "-smp", "2", "-m", memoryMb.ToString(CultureInfo.InvariantCulture),
            "-drive", $"if=pflash,format=raw,unit=0,readonly=on,file={OvmfCode}",
            "-drive", $"if=pflash,format=raw,unit=1,file={vars}",
            "-drive", $"file={disk},if=virtio,format=raw,cache=unsafe",
            // A PC's hardware watchdog, which the image's systemd arms (image/x86-64/overlay): its
            // countdown is modelled, and a reset it fires ends QEMU here (-no-reboot), failing the run.
            "-device", "i6300esb",
            .. Nics,
            "-display", "none", "-monitor", "none", "-serial", $"file:{console}", "-no-reboot",
        ];
        return Start(ns, console, qemu);
    }

    /// <summary>Boots the Raspberry Pi image's root slot on <c>-M virt -cpu cortex-a72</c> (TCG):
    /// the whole SD image as a virtio disk, the slot's own kernel and initramfs given to QEMU
    /// (there is no Pi firmware or U-Boot on this machine), two virtio NICs on the taps.</summary>
    public static ImageVm StartArm64Virt(string disk, string kernel, string initrd, string cmdline, string ns, string runDir, string consoleName = "console.log", int memoryMb = 1024)
    {
        string console = Path.Combine(runDir, consoleName);
        return Start(ns, console,
        [
            "qemu-system-aarch64", "-name", "routerd-image-arm64",
            "-accel", "tcg,thread=multi", "-M", "virt", "-cpu", "cortex-a72",
            "-smp", "2", "-m", memoryMb.ToString(CultureInfo.InvariantCulture),
            "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
            "-drive", $"file={disk},if=none,id=sd,format=raw,cache=unsafe", "-device", "virtio-blk-pci,drive=sd",
            .. Nics,
            "-display", "none", "-monitor", "none", "-serial", $"file:{console}",
        ]);
    }

    /// <summary>Boots the whole SD image on <c>-M raspi3b</c> through Debian's U-Boot (rpi_arm64)
    /// and the image's boot.scr, as the Pi 4 will; no NICs (QEMU's raspi3b has no Ethernet).
    /// The image must be a power of two in size. Console: the mini UART (the Pi's ttyS1).
    /// <c>-no-reboot</c>: each start is one boot of the card, so a reset ends QEMU and the failure
    /// shows Linux's last lines before it, not the next U-Boot's banner (stop 29's CI run saw a
    /// second U-Boot and could not tell why the first boot ended); the caller starts the next boot.</summary>
    public static ImageVm StartRaspi3b(string sdImage, string uboot, string dtb, string runDir, string consoleName = "console.log")
    {
        string console = Path.Combine(runDir, consoleName);
        return Start(null, console,
        [
            "qemu-system-aarch64", "-name", "routerd-image-raspi3b",
            "-accel", "tcg,thread=multi", "-M", "raspi3b", "-kernel", uboot, "-dtb", dtb,
            "-drive", $"file={sdImage},if=sd,format=raw,cache=unsafe",
            "-display", "none", "-monitor", "none", "-serial", "null", "-serial", $"file:{console}", "-no-reboot",
        ]);
    }

    /// <summary>The image tier's PPPoE ISP: the lab VM (Debian's kernel has PPP, the host's has
    /// not) running isp/pppoe-isp.sh, its one NIC on tap <c>tapisp</c> in <paramref name="ns"/>
    /// (the caller cables it to the image's WAN). The CHAP account is <paramref name="user"/> /
    /// <paramref name="password"/>; behind the ISP the lab's internet host serves the hello page.
    /// Ready once <see cref="IspReady"/> is on its console; stops when disposed.</summary>
    public static ImageVm StartPppoeIsp(string ns, string runDir, string user, string password)
    {
        var a = VmArtifacts.Ensure();
        string share = Path.Combine(runDir, "isp-share");
        foreach (var d in new[] { "guest", "scenarios", "bin", "results" }) Directory.CreateDirectory(Path.Combine(share, d));
        foreach (var f in Directory.GetFiles(VmPaths.Guest)) File.Copy(f, Path.Combine(share, "guest", Path.GetFileName(f)), overwrite: true);
        File.Copy(Path.Combine(VmPaths.Recipe, "boot-modules.txt"), Path.Combine(share, "guest", "boot-modules.txt"), overwrite: true);
        File.Copy(Path.Combine(VmPaths.Repo, "tests", "Routerd.Vm", "isp", "pppoe-isp.sh"), Path.Combine(share, "scenarios", "pppoe-isp.sh"), overwrite: true);
        File.WriteAllText(Path.Combine(share, "suite"), "pppoe-isp\n");
        static string Q(string v) => "'" + v.Replace("'", "'\\''") + "'";
        File.WriteAllText(Path.Combine(share, "env"), string.Concat(new[]
        {
            ("PPPOE_USER", user), ("PPPOE_PASSWORD", password), ("INTERNET_HOST", LabAddresses.InternetHost),
            ("HELLO_PATH", LabAddresses.HelloPath), ("HELLO_TEXT", LabAddresses.HelloText),
        }.Select(e => $"{e.Item1}={Q(e.Item2)}\nexport {e.Item1}\n")));
        CommandResult.Run(["ip", "-n", ns, "tuntap", "add", "dev", "tapisp", "mode", "tap"], TimeSpan.FromSeconds(10)).EnsureOk();
        string console = Path.Combine(runDir, "isp-console.log");
        return Start(ns, console,
        [
            VmPaths.Qemu, "-name", "routerd-image-isp",
            "-accel", "tcg,thread=multi", "-M", "pc", "-cpu", "qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt",
            "-smp", "1", "-m", "512",
            "-bios", VmPaths.QbootRom, "-kernel", a.Kernel, "-initrd", a.Initramfs,
            "-append", "console=ttyS0 root=/dev/vda panic=-1 quiet",
            "-drive", $"file={a.RootImage},if=virtio,format=raw,snapshot=on",
            "-virtfs", $"local,path={share},mount_tag=lab,security_model=none",
            "-device", "virtio-rng-pci",
            "-netdev", "tap,id=isp,ifname=tapisp,script=no,downscript=no",
            "-device", "virtio-net-pci,netdev=isp,mac=52:54:00:12:00:99",
            "-display", "none", "-monitor", "none", "-serial", $"file:{console}", "-no-reboot",
        ]);
    }

    public static readonly Regex IspReady = new("pppoe-isp: ready");

    static ImageVm Start(string? ns, string console, string[] qemu)
    {
        var psi = new ProcessStartInfo(ns is null ? "setsid" : "ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var prefix = ns is null ? new[] { Path.Combine(VmPaths.Recipe, "qemu-guard.sh") } : ["netns", "exec", ns, "setsid", Path.Combine(VmPaths.Recipe, "qemu-guard.sh")];
        foreach (var a in prefix.Concat(qemu)) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start QEMU");
        var vm = new ImageVm(p, console);
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (vm.qemuOutput) vm.qemuOutput.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (vm.qemuOutput) vm.qemuOutput.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return vm;
    }

    public bool HasExited => process.HasExited;

    /// <summary>Waits for QEMU to end (the guest powered off or rebooted under -no-reboot).</summary>
    public bool WaitForExit(TimeSpan timeout) => process.WaitForExit(timeout);

    public string QemuOutput { get { lock (qemuOutput) return qemuOutput.ToString(); } }

    /// <summary>The serial console so far.</summary>
    public string Console()
    {
        if (!File.Exists(ConsolePath)) return "";
        using var f = new FileStream(ConsolePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(f).ReadToEnd();
    }

    /// <summary>Waits until the console holds <paramref name="count"/> matches of <paramref name="pattern"/>
    /// and returns the last; throws with the console's tail if QEMU ends or time runs out.</summary>
    public async Task<Match> WaitForConsole(Regex pattern, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var matches = pattern.Matches(Console());
            if (matches.Count >= count) return matches[count - 1];
            if (process.HasExited) throw new InvalidOperationException($"QEMU ended ({process.ExitCode}) before '{pattern}' #{count}: {QemuOutput}\n{Landmarks()}{Tail()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no '{pattern}' #{count} on the console within {timeout.TotalSeconds:0} s ({LastWords()})\n{Landmarks()}{Tail()}");
            await Task.Delay(500);
        }
    }

    /// <summary>The boot's milestones from the whole console (boot loader banners, slot choice, kernel
    /// start, panics, resets, systemd's targets, routerd's lines), numbered, so a failure shows how
    /// many boots there were and where each ended even when the tail is all one of them.</summary>
    public string Landmarks(int max = 40)
    {
        var lines = Console().Split('\n');
        var hits = lines.Select((l, i) => (l, i)).Where(x => Landmark.IsMatch(x.l)).Select(x => $"{x.i + 1,6}: {x.l.TrimEnd()}").ToList();
        if (hits.Count > max) hits = [.. hits.Take(max / 2), "   ...", .. hits.TakeLast(max / 2)];
        return $"--- boot landmarks ({lines.Length} console lines) ---\n" + string.Join('\n', hits) + "\n";
    }

    static readonly Regex Landmark = new(@"U-Boot 20\d\d|GRUB|routerd|Booting Linux|Linux version|Kernel panic|Oops|watchdog|Restarting system|reboot|Power down|emergency|Failed to start|Reached target|login:",
        RegexOptions.IgnoreCase);

    /// <summary>How long the console is and its last line, for a failure's first line (CI shows
    /// only the start of a failed test's message).</summary>
    string LastWords()
    {
        var lines = Console().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 0 ? "the console is empty" : $"{lines.Length} console lines, the last: {lines[^1].Trim()}";
    }

    public string Tail(int lines = 60) => "--- console (last lines) ---\n" + string.Join('\n', Console().Split('\n').TakeLast(lines));

    /// <summary>Stops QEMU (the guard kills it when its stdin closes).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        if (!process.HasExited)
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(5))) process.Kill(entireProcessTree: true);
        }
        process.WaitForExit();
        process.Dispose();
    }
}
