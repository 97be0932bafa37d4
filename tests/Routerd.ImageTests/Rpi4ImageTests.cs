using System.Text.Json.Nodes;
using Routerd.Lab;
using Routerd.Vm;
using Xunit;

namespace Routerd.ImageTests;

/// <summary>What QEMU's virt machine does not show about the Raspberry Pi 4 image: the SD card's
/// boot partition as the Pi's firmware and U-Boot will read it (static). The whole card booted on
/// -M raspi3b through the same Debian U-Boot (rpi_arm64) and boot.scr the Pi 4 runs, slot changes
/// included, is <see cref="Rpi4Raspi3bTests"/>.</summary>
public sealed class Rpi4SdCardTests
{
    readonly string image = ImageRun.FindImage("rpi4");

    string Image => File.Exists(image) ? image : throw new InvalidOperationException($"no rpi4 image at {image}: build it with `sudo ./build.sh image rpi4`");

    JsonNode Table() => JsonNode.Parse(CommandResult.Run(["sfdisk", "--json", Image], TimeSpan.FromSeconds(10)).EnsureOk().Stdout)!["partitiontable"]!;

    long Offset(int partition) => (long)Table()["partitions"]![partition - 1]!["start"]! * 512;

    string BootFile(string name) =>
        CommandResult.Run(["mtype", "-i", $"{Image}@@{Offset(1)}", "::" + name], TimeSpan.FromSeconds(20)).EnsureOk().Stdout;

    [Fact]
    public void The_card_has_an_mbr_with_a_random_disk_signature_that_the_root_partuuid_uses()
    {
        var t = Table();
        Assert.Equal("dos", (string?)t["label"]);
        string id = File.ReadAllText(Image[..^4] + ".disk-id").Trim();
        Assert.Equal("0x" + id, (string?)t["id"]);
        Assert.NotEqual("00000000", id);
        var parts = t["partitions"]!.AsArray();
        Assert.Equal(4, parts.Count);
        Assert.Equal("c", (string?)parts[0]!["type"]);
        // boot.scr asks U-Boot for the slot's PARTUUID (`part uuid`): <disk signature>-0N by construction.
        Assert.Contains("part uuid ${devtype} ${devnum}:${rootpart} rootuuid", BootFile("boot.scr"));
    }

    [Fact]
    public void The_boot_partition_has_the_pi_4_firmware_its_dtb_u_boot_and_the_boot_script()
    {
        string dir = CommandResult.Run(["mdir", "-b", "-i", $"{Image}@@{Offset(1)}", "::"], TimeSpan.FromSeconds(20)).EnsureOk().Stdout;
        foreach (var f in new[] { "start4.elf", "fixup4.dat", "bcm2711-rpi-4-b.dtb", "bcm2837-rpi-3-b.dtb", "u-boot.bin", "boot.scr", "config.txt" })
            Assert.True(dir.Contains("::/" + f, StringComparison.OrdinalIgnoreCase), $"{f} is not on the boot partition:\n{dir}");
        var config = BootFile("config.txt").Split('\n').Select(l => l.Trim()).ToHashSet();
        foreach (var key in new[] { "arm_64bit=1", "kernel=u-boot.bin", "enable_uart=1" })
            Assert.True(config.Contains(key), $"config.txt lacks {key}");
        string script = BootFile("boot.scr");
        foreach (var s in new[] { "BOOT_ORDER", "BOOT_A_LEFT", "saveenv", "ext4load ${devtype} ${devnum}:${rootpart} ${kernel_addr_r} /vmlinuz", "/initrd.img", "booti" })
            Assert.Contains(s, script);
    }

    [Fact]
    public void The_root_slot_holds_the_arm64_kernel_and_initramfs_the_boot_script_loads_and_the_radios_firmware()
    {
        string dir = Directory.CreateTempSubdirectory("routerd-rpi4-root-").FullName;
        try
        {
            string root = Path.Combine(dir, "root.ext4");
            ImageBoot.CopyPartition(Image, ImageBoot.Partitions(Image)[1], root);
            string Debugfs(string cmd) => CommandResult.Run(["debugfs", "-R", cmd, root], TimeSpan.FromSeconds(30)).EnsureOk().Stdout;
            string link = Debugfs("stat /vmlinuz");
            Assert.Contains("Type: symlink", link);
            Assert.Contains("Type: symlink", Debugfs("stat /initrd.img"));
            string boot = Debugfs("ls -p /boot");
            string kernel = boot.Split('\n').Select(l => l.Split('/')).Where(f => f.Length > 5 && f[5].StartsWith("vmlinuz-", StringComparison.Ordinal)).Select(f => f[5]).Single();
            CommandResult.Run(["debugfs", "-R", $"dump /boot/{kernel} {Path.Combine(dir, "Image")}", root], TimeSpan.FromSeconds(60)).EnsureOk();
            var head = File.ReadAllBytes(Path.Combine(dir, "Image")).AsSpan(56, 4).ToArray();
            Assert.True(head.SequenceEqual("ARM\x64"u8.ToArray()), $"/boot/{kernel} is not an uncompressed arm64 Image (booti needs one)");
            Assert.Contains("initrd.img-" + kernel["vmlinuz-".Length..], boot);
            // The onboard radio's firmware survived the image's pruning (image/rpi4/prune.txt):
            // brcmfmac asks for brcmfmac43455-sdio.{bin,clm_blob,raspberrypi,4-model-b.txt}; the
            // first two link to Cypress's files.
            string brcm = Debugfs("ls -p /usr/lib/firmware/brcm"), cypress = Debugfs("ls -p /usr/lib/firmware/cypress");
            foreach (var f in new[] { "brcmfmac43455-sdio.bin", "brcmfmac43455-sdio.clm_blob", "brcmfmac43455-sdio.raspberrypi,4-model-b.txt" })
                Assert.Contains("/" + f + "/", brcm);
            foreach (var f in new[] { "cyfmac43455-sdio.bin", "cyfmac43455-sdio.clm_blob" })
                Assert.Contains("/" + f + "/", cypress);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
