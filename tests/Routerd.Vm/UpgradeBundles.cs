using Routerd.Lab;

namespace Routerd.Vm;

/// <summary>The update bundles the x86-64 run installs or must refuse, all made here with the
/// image's own recipe and key (image/rauc-bundle.sh, image/rauc-keys.sh) from the image under test
/// — no second image build:
/// <list type="bullet">
/// <item>Broken: version N.1, the image's root slot A with /usr/bin/routerd replaced by a program
/// that exits 1 (a release whose routerd dies at start).</item>
/// <item>Next: version N.2, the same root slot with only its version file changed.</item>
/// <item>OtherBoard (rpi4) and Tampered (bytes changed after signing, version far ahead so only
/// the signature can be the reason it is refused): small, from an 8 MiB ext4.</item>
/// </list>
/// The root slot copies are edited with debugfs (no mount) and never touch the image.</summary>
public sealed record UpgradeBundles(string Running, string Broken, string BrokenVersion, string Next, string NextVersion, string OtherBoard, string Tampered)
{
    public static UpgradeBundles Make(string image, string dir, Action<string> note)
    {
        // routerd-x86-64-VERSION.img
        string running = Path.GetFileNameWithoutExtension(image)["routerd-x86-64-".Length..];
        Directory.CreateDirectory(dir);
        var started = DateTime.UtcNow;
        string Bundle(string board, string version, string rootExt4)
        {
            string path = Path.Combine(dir, $"test-{board}-{version}.raucb");
            // zstd level 3, not the release's 10: the bundles are packed while the first boot runs,
            // and every core the packing takes is taken from the TCG guest.
            CommandResult.Run(["env", "BUNDLE_ZSTD_LEVEL=3", Path.Combine(RouterdCommand.RepoRoot(), "image", "rauc-bundle.sh"), board, version, rootExt4, path], TimeSpan.FromMinutes(10)).EnsureOk();
            return path;
        }

        string tiny = Path.Combine(dir, "tiny.ext4");
        File.Delete(tiny);
        CommandResult.Run(["mkfs.ext4", "-q", "-F", tiny, "8M"], TimeSpan.FromMinutes(1)).EnsureOk();
        string other = Bundle("rpi4", "99.0.0", tiny);
        string tampered = Bundle("x86-64", "99.0.0", tiny);
        using (var f = new FileStream(tampered, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = f.Length / 3;
            int b = f.ReadByte();
            f.Position--;
            f.WriteByte((byte)(b ^ 0xff));
        }

        string brokenVersion = running + ".1", nextVersion = running + ".2";
        string slotA = Path.Combine(dir, "rootA.ext4");
        ImageBoot.CopyPartition(image, ImageBoot.Partitions(image)[1], slotA);

        string Root(string version, params string[] more)
        {
            string root = VersionedRoot(slotA, dir, version, more);
            Shrink(root);
            return root;
        }

        string exit1 = Path.Combine(dir, "routerd-exit-1");
        File.WriteAllText(exit1, "#!/bin/sh\necho 'routerd (broken test build): exiting at start' >&2\nexit 1\n");
        string broken = Bundle("x86-64", brokenVersion, Root(brokenVersion,
            "rm /usr/bin/routerd", $"write {exit1} /usr/bin/routerd", "sif /usr/bin/routerd mode 0100755", "sif /usr/bin/routerd uid 0", "sif /usr/bin/routerd gid 0"));
        string next = Bundle("x86-64", nextVersion, Root(nextVersion));
        foreach (var f in Directory.GetFiles(dir, "*.ext4")) File.Delete(f);
        note($"bundles from the image's root slot in {(DateTime.UtcNow - started).TotalSeconds:0} s: broken {brokenVersion} ({new FileInfo(broken).Length >> 20} MiB), next {nextVersion} ({new FileInfo(next).Length >> 20} MiB)");
        return new UpgradeBundles(running, broken, brokenVersion, next, nextVersion, other, tampered);
    }

    /// <summary>Version <paramref name="version"/> of the image: a sparse copy of its root slot
    /// <paramref name="slotA"/> (an ext4 file) in <paramref name="dir"/> with only /etc/routerd/version
    /// rewritten, plus any further debugfs <paramref name="more"/> commands. Returns the copy's path.</summary>
    public static string VersionedRoot(string slotA, string dir, string version, params string[] more)
    {
        string root = Path.Combine(dir, $"root-{version}.ext4"), versionFile = Path.Combine(dir, "version");
        File.Delete(root);
        // Sparse: the slot's ~300 MiB of never-written blocks are not copied as zeros.
        CommandResult.Run(["cp", "--sparse=always", slotA, root], TimeSpan.FromMinutes(3)).EnsureOk();
        File.WriteAllText(versionFile, version + "\n");
        Debugfs(root, ["rm /etc/routerd/version", $"write {versionFile} /etc/routerd/version", .. more]);
        return root;
    }

    /// <summary>Shrinks the ext4 image file to its smallest size (resize2fs -M; e2fsck -f first,
    /// which resize2fs requires): the guest then writes and reads back ~half the 640 MiB slot at each
    /// install (RAUC's copy, routerd's SHA-256 read-back), all under TCG. A file system smaller
    /// than its slot is what RAUC writes anyway (the slot's size is a bound, not a match).</summary>
    static void Shrink(string ext4)
    {
        // e2fsck -p: 0 = clean, 1 = errors fixed; anything else fails.
        var fsck = CommandResult.Run(["e2fsck", "-f", "-p", ext4], TimeSpan.FromMinutes(2));
        if (fsck.TimedOut || fsck.ExitCode is not (0 or 1)) throw new InvalidOperationException($"e2fsck on {ext4}: {fsck}");
        CommandResult.Run(["resize2fs", "-M", ext4], TimeSpan.FromMinutes(3)).EnsureOk();
        // resize2fs truncates an image file it shrinks; make sure, since the bundle takes the file as it is.
        var sb = CommandResult.Run(["dumpe2fs", "-h", ext4], TimeSpan.FromSeconds(30)).EnsureOk().Stdout.Split('\n');
        long Field(string name) => long.Parse(sb.First(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        long bytes = Field("Block count") * Field("Block size");
        using var f = new FileStream(ext4, FileMode.Open, FileAccess.ReadWrite);
        if (f.Length > bytes) f.SetLength(bytes);
    }

    /// <summary>Runs debugfs commands on an ext4 image file, writable; any error it reports fails.</summary>
    static void Debugfs(string ext4, IEnumerable<string> commands)
    {
        string script = ext4 + ".debugfs";
        File.WriteAllLines(script, commands);
        var r = CommandResult.Run(["debugfs", "-w", "-f", script, ext4], TimeSpan.FromMinutes(1)).EnsureOk();
        // debugfs exits 0 even when a command fails; its errors name the command.
        var errors = r.Stderr.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("debugfs ", StringComparison.Ordinal)).ToList();
        if (errors.Count > 0) throw new InvalidOperationException($"debugfs on {ext4}: {string.Join("; ", errors)}");
        File.Delete(script);
    }
}
