using Xunit;

namespace Routerd.ImageTests;

/// <summary>The raspi3b run reads and writes uboot.env through <see cref="UbootEnv"/>: its CRC must be
/// the one mkenvimage (and U-Boot) compute, or every read would say "damaged". No VM.</summary>
public sealed class UbootEnvTests
{
    [Fact]
    public void What_mkenvimage_writes_reads_back_and_a_flipped_byte_reads_as_damaged()
    {
        string dir = Directory.CreateTempSubdirectory("routerd-ubootenv-").FullName;
        try
        {
            var empty = new UbootEnv(0x4000, []);
            var bytes = empty.With(dir, ("BOOT_ORDER", "B A"), ("BOOT_A_LEFT", "0"), ("BOOT_B_LEFT", "3"), ("bootcmd", "run distro_bootcmd"));
            Assert.Equal(0x4000, bytes.Length);
            var env = UbootEnv.Parse(bytes) ?? throw new InvalidOperationException("mkenvimage's output does not pass the CRC check");
            Assert.Equal("BOOT_ORDER='B A' BOOT_A_LEFT=0 BOOT_B_LEFT=3", env.Slots);
            Assert.Equal("run distro_bootcmd", env.Get("bootcmd"));
            var changed = UbootEnv.Parse(env.With(dir, ("BOOT_A_LEFT", "3")))!;
            Assert.Equal("BOOT_ORDER='B A' BOOT_A_LEFT=3 BOOT_B_LEFT=3", changed.Slots);
            bytes[10] ^= 0x01;
            Assert.Null(UbootEnv.Parse(bytes));
            Assert.Equal([], Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, true); }
    }
}
