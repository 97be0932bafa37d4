using System.Text.Json.Nodes;
using Routerd.Core.Upgrade;
using Routerd.Platform.UBoot;
using Xunit;

namespace Routerd.Tests.Upgrade;

/// <summary>The last-good record on disk, and the names that tie routerd's side to boot.scr's.</summary>
public class LastGoodFileTests
{
    [Fact]
    public void The_record_is_replaced_whole_and_no_temporary_file_is_left()
    {
        string dir = Directory.CreateTempSubdirectory("routerd-lastgood-").FullName;
        try
        {
            var file = new LastGoodFile(Path.Combine(dir, "routerd-last-good.txt"));
            Assert.Null(file.Read());
            file.Write(LastGoodSlot.Text("A")!);
            file.Write(LastGoodSlot.Text("B")!);
            Assert.Equal(LastGoodSlot.Text("B"), file.Read());
            Assert.Equal(["routerd-last-good.txt"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_record_that_cannot_be_written_throws_an_io_error_the_updater_reports()
    {
        var file = new LastGoodFile("/nonexistent-dir/routerd-last-good.txt");
        Assert.ThrowsAny<IOException>(() => file.Write(LastGoodSlot.Text("A")!));
    }

    /// <summary>U-Boot's `env import -t` takes each line's rest as the value: no quotes, no CR, and
    /// only `#` comments besides BOOT_ORDER.</summary>
    [Theory]
    [InlineData("A", "A B")]
    [InlineData("B", "B A")]
    public void The_record_is_lines_env_import_reads(string slot, string order)
    {
        var lines = LastGoodSlot.Text(slot)!.Split('\n');
        Assert.Equal("", lines[^1]);
        Assert.DoesNotContain('\r', LastGoodSlot.Text(slot)!);
        Assert.All(lines[..^1], l => Assert.True(l.StartsWith('#') || l == $"BOOT_ORDER={order}", l));
    }

    /// <summary>rpi4 records where boot.scr looks (the FAT partition, mounted at /boot/firmware);
    /// x86-64 records nothing (GRUB).</summary>
    [Fact]
    public void The_rpi4_board_records_the_file_boot_scr_loads_and_x86_64_none()
    {
        JsonNode Firmware(string board) => JsonNode.Parse(File.ReadAllText(Path.Combine(Settings.BoardKeyTests.Repo(), "board", board, "board.json")))!["Firmware"]!;
        Assert.Null(Firmware("x86-64")["LastGoodFile"]);
        string path = (string)Firmware("rpi4")["LastGoodFile"]!;
        Assert.StartsWith("/boot/firmware/", path);
        Assert.Contains("/boot/firmware", File.ReadAllText(Path.Combine(Settings.BoardKeyTests.Repo(), "image", "rpi4", "fstab")));
        Assert.Contains($"${{pxefile_addr_r}} /{Path.GetFileName(path)};", File.ReadAllText(Path.Combine(Settings.BoardKeyTests.Repo(), "image", "rpi4", "boot.cmd")));
    }
    /// <summary>U-Boot's hush starts a single-quoted string at a `'` even inside double quotes: one
    /// apostrophe in an echo made the whole boot.scr a syntax error (seen on raspi3b).</summary>
    [Fact]
    public void Boot_scr_has_no_single_quote_outside_comments()
    {
        var lines = File.ReadAllLines(Path.Combine(Settings.BoardKeyTests.Repo(), "image", "rpi4", "boot.cmd"))
            .Select((l, i) => (Line: l, No: i + 1)).Where(x => !x.Line.TrimStart().StartsWith('#') && x.Line.Contains('\''));
        Assert.Empty(lines.Select(x => $"boot.cmd:{x.No}: {x.Line}"));
    }
}
