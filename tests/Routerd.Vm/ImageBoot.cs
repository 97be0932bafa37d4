using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Routerd.Lab;

namespace Routerd.Vm;

/// <summary>One boot of a built image between the lab's ISP and clients, up to the console's
/// status line (image/overlay/usr/lib/routerd/console-banner): what the image benchmark and the
/// arm64 checks need. The disk is a copy grown to 2 GiB, so the image file stays pristine.</summary>
public static partial class ImageBoot
{
    public const long DiskBytes = 2L << 30;

    [GeneratedRegex(@"routerd-status: (.*)")]
    public static partial Regex StatusLine();

    /// <summary>The status line's key=value pairs. The serial console ends lines with CR LF, and
    /// the regex's line runs to the CR: whitespace of any kind separates.</summary>
    public static Dictionary<string, string> Fields(string line) =>
        line.Split((char[])[' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(w => w.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);

    /// <summary>A sparse copy of <paramref name="image"/> in <paramref name="dir"/>, grown to <paramref name="bytes"/>.</summary>
    public static string DiskCopy(string image, string dir, long bytes = DiskBytes)
    {
        string disk = Path.Combine(dir, "disk.img");
        CommandResult.Run(["cp", "--sparse=always", image, disk], TimeSpan.FromMinutes(2)).EnsureOk();
        using (var f = new FileStream(disk, FileMode.Open)) if (f.Length < bytes) f.SetLength(bytes);
        return disk;
    }

    /// <summary>Starts <paramref name="image"/> (x86-64: the whole disk under OVMF; rpi4: its root slot on
    /// -M virt with the kernel and initramfs build-image.sh left next to it) in the lab's router namespace.</summary>
    public static ImageVm Start(string board, string image, Lab.Lab lab)
    {
        ImageVm.Wire(lab.RouterNs, "wan0", lab.Phone.RouterPort, lab.Laptop.RouterPort);
        // The rpi4 board's ports are eth1 (WAN) and eth0 (LAN): NIC 1 (eth0) is the LAN there.
        if (board != "x86-64") ImageVm.Rewire(lab.RouterNs);
        DiskCopy(image, lab.Dir);
        return Boot(board, image, lab, "console.log");
    }

    /// <summary>Boots the lab's disk copy of <paramref name="image"/> (made by <see cref="Start"/>) again.</summary>
    public static ImageVm Boot(string board, string image, Lab.Lab lab, string consoleName)
    {
        string disk = Path.Combine(lab.Dir, "disk.img");
        if (board == "x86-64") return ImageVm.StartX86(disk, lab.RouterNs, lab.Dir, consoleName);
        string stem = image[..^".img".Length];
        string diskId = File.ReadAllText(stem + ".disk-id").Trim();
        return ImageVm.StartArm64Virt(disk, stem + ".vmlinuz", stem + ".initrd",
            $"root=PARTUUID={diskId}-02 ro rootwait net.ifnames=0 console=ttyAMA0,115200 panic=10 rauc.slot=A", lab.RouterNs, lab.Dir, consoleName);
    }

    /// <summary>Boots once and returns the status line's fields and the wall time to it.</summary>
    public static async Task<(Dictionary<string, string> Status, TimeSpan Wall)> Once(string board, string image, Action<string> log, TimeSpan limit)
    {
        using var lab = Lab.Lab.Create(new LabOptions { StartRouterd = false, Log = log });
        using var vm = Start(board, image, lab);
        try
        {
            var m = await vm.WaitForConsole(StatusLine(), 1, limit);
            return (Fields(m.Groups[1].Value), vm.Clock.Elapsed);
        }
        finally
        {
            string keep = Path.Combine(RouterdCommand.RepoRoot(), "tests", "results", "image");
            Directory.CreateDirectory(keep);
            File.WriteAllText(Path.Combine(keep, $"{board}-{Path.GetFileNameWithoutExtension(image)}-console.log"), vm.Console());
        }
    }

    public sealed record Part(long Start, long Size);

    /// <summary>The disk file's partitions (bytes), read by sfdisk from the file.</summary>
    public static List<Part> Partitions(string disk)
    {
        var r = CommandResult.Run(["sfdisk", "--json", disk], TimeSpan.FromSeconds(10)).EnsureOk();
        var json = JsonNode.Parse(r.Stdout)!["partitiontable"]!;
        long sector = (long?)json["sectorsize"] ?? 512;
        return json["partitions"]!.AsArray().Select(p => new Part((long)p!["start"]! * sector, (long)p["size"]! * sector)).ToList();
    }

    /// <summary>Copies one partition of the disk file into its own (sparse) file. Byte offsets, not
    /// whole MiBs: the data partition grown at first boot ends where the backup GPT begins, off any
    /// MiB boundary, and a file in its last partial MiB would otherwise read short.</summary>
    public static void CopyPartition(string disk, Part part, string to) =>
        CommandResult.Run(["dd", $"if={disk}", $"of={to}", "bs=1M", "iflag=skip_bytes,count_bytes", $"skip={part.Start}", $"count={part.Size}", "conv=sparse", "status=none"], TimeSpan.FromMinutes(3)).EnsureOk();
}
