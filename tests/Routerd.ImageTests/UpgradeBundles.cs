using Routerd.Lab;
using Routerd.NetnsTests;
using Routerd.Vm;

namespace Routerd.ImageTests;

/// <summary>The update bundles the x86-64 run installs or must refuse: N+1 (the image tier's second
/// build of the same tree with a higher version, ROUTERD_BUNDLE_NEXT), and two small bundles made
/// here with the same recipe and key (image/rauc-bundle.sh): one for rpi4, and one for this board
/// whose bytes were changed after signing — its version is far ahead, so only the signature can be
/// the reason it is refused.</summary>
public sealed record UpgradeBundles(string Next, string NextVersion, string OtherBoard, string Tampered)
{
    public static UpgradeBundles? FromEnvironment(string dir)
    {
        if (Environment.GetEnvironmentVariable("ROUTERD_BUNDLE_NEXT") is not { Length: > 0 } next) return null;
        if (!File.Exists(next)) throw new InvalidOperationException($"ROUTERD_BUNDLE_NEXT names no file: {next}");
        // routerd-x86-64-VERSION.raucb
        string version = Path.GetFileNameWithoutExtension(next)["routerd-x86-64-".Length..];
        Directory.CreateDirectory(dir);
        string tiny = Path.Combine(dir, "tiny.ext4");
        File.Delete(tiny);
        CommandResult.Run(["mkfs.ext4", "-q", "-F", tiny, "8M"], TimeSpan.FromMinutes(1)).EnsureOk();
        string Bundle(string board, string v)
        {
            string path = Path.Combine(dir, $"test-{board}-{v}.raucb");
            CommandResult.Run([Path.Combine(RouterdCommand.RepoRoot(), "image", "rauc-bundle.sh"), board, v, tiny, path], TimeSpan.FromMinutes(2)).EnsureOk();
            return path;
        }
        string other = Bundle("rpi4", "99.0.0");
        string tampered = Bundle("x86-64", "99.0.0");
        using (var f = new FileStream(tampered, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = f.Length / 3;
            int b = f.ReadByte();
            f.Position--;
            f.WriteByte((byte)(b ^ 0xff));
        }
        return new UpgradeBundles(next, version, other, tampered);
    }
}
