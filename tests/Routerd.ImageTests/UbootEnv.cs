using System.Text;
using Routerd.Lab;

namespace Routerd.ImageTests;

/// <summary>U-Boot's environment file as U-Boot and libubootenv keep it (one copy, no redundancy
/// flag): a little-endian CRC-32 of the data, then `name=value` strings each ending in NUL, an
/// empty one ending the list, zeros to the size. Read here; written by u-boot-tools' mkenvimage.</summary>
public sealed record UbootEnv(int Size, Dictionary<string, string> Vars)
{
    /// <summary>Null when the CRC does not match (U-Boot would use its built-in defaults).</summary>
    public static UbootEnv? Parse(byte[] file)
    {
        if (file.Length < 8) return null;
        uint stored = BitConverter.ToUInt32(file, 0);
        if (Crc32(file.AsSpan(4)) != stored) return null;
        var vars = new Dictionary<string, string>();
        int i = 4;
        while (i < file.Length && file[i] != 0)
        {
            int end = Array.IndexOf(file, (byte)0, i);
            if (end < 0) return null;
            string entry = Encoding.ASCII.GetString(file, i, end - i);
            int eq = entry.IndexOf('=');
            if (eq > 0) vars[entry[..eq]] = entry[(eq + 1)..];
            i = end + 1;
        }
        return new UbootEnv(file.Length, vars);
    }

    public string Get(string name) => Vars.TryGetValue(name, out var v) ? v : "(unset)";

    /// <summary>BOOT_ORDER and the tries, as the checks' messages show them.</summary>
    public string Slots => $"BOOT_ORDER='{Get("BOOT_ORDER")}' BOOT_A_LEFT={Get("BOOT_A_LEFT")} BOOT_B_LEFT={Get("BOOT_B_LEFT")}";

    /// <summary>The environment with <paramref name="changes"/> applied, as a file of the same size (mkenvimage).</summary>
    public byte[] With(string dir, params (string Name, string Value)[] changes)
    {
        var vars = new Dictionary<string, string>(Vars);
        foreach (var (n, v) in changes) vars[n] = v;
        string text = Path.Combine(dir, "uboot-env.txt"), bin = Path.Combine(dir, "uboot-env.bin");
        File.WriteAllLines(text, vars.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        CommandResult.Run(["mkenvimage", "-s", Size.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", bin, text], TimeSpan.FromSeconds(20)).EnsureOk();
        var bytes = File.ReadAllBytes(bin);
        File.Delete(text);
        File.Delete(bin);
        return bytes;
    }

    /// <summary>CRC-32 (IEEE 802.3, zlib's), which U-Boot's environment uses.</summary>
    static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xffffffff;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xedb88320 : crc >> 1;
        }
        return ~crc;
    }
}

/// <summary>Files on the FAT boot partition of an SD card image, through mtools (no mount).</summary>
public sealed class BootPartition(string card, long offset)
{
    string Drive => $"{card}@@{offset}";

    /// <summary>The file's bytes; null when it is not there (or mtools cannot read it now: the guest
    /// may be writing the partition).</summary>
    public byte[]? Read(string name)
    {
        string tmp = Path.Combine(Path.GetTempPath(), $"routerd-bootpart-{Guid.NewGuid():N}");
        try
        {
            var r = CommandResult.Run(["mcopy", "-n", "-i", Drive, "::" + name, tmp], TimeSpan.FromSeconds(20));
            return r.ExitCode == 0 && File.Exists(tmp) ? File.ReadAllBytes(tmp) : null;
        }
        finally { File.Delete(tmp); }
    }

    public string? ReadText(string name) => Read(name) is { } b ? Encoding.UTF8.GetString(b) : null;

    public void Write(string name, byte[] bytes)
    {
        string tmp = Path.Combine(Path.GetTempPath(), $"routerd-bootpart-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(tmp, bytes);
            CommandResult.Run(["mcopy", "-o", "-i", Drive, tmp, "::" + name], TimeSpan.FromSeconds(20)).EnsureOk();
        }
        finally { File.Delete(tmp); }
    }

    public void Delete(string name) => CommandResult.Run(["mdel", "-i", Drive, "::" + name], TimeSpan.FromSeconds(20)).EnsureOk();

    public UbootEnv? Env() => Read("uboot.env") is { } b ? UbootEnv.Parse(b) : null;
}
