using Routerd.Lab;

namespace Routerd.Vm;

/// <summary>What the guest boots: Debian's kernel, the initramfs and the root image, from the
/// cache directory build-artifacts.sh keeps (built on first use, a few seconds to check after).</summary>
public sealed record VmArtifacts(string Directory, string KernelRelease)
{
    public string Kernel => Path.Combine(Directory, "vmlinux");
    public string Initramfs => Path.Combine(Directory, "initramfs.cpio");
    public string RootImage => Path.Combine(Directory, "rootfs.ext4");

    /// <summary>Builds the artifacts if this recipe has none yet (minutes: mmdebstrap and the
    /// kernel download), else returns the cached ones.</summary>
    public static VmArtifacts Ensure(Action<string>? log = null)
    {
        log?.Invoke("lab VM artifacts (built once per recipe)");
        var r = CommandResult.Run([Path.Combine(VmPaths.Recipe, "build-artifacts.sh")], TimeSpan.FromMinutes(20));
        if (!r.Ok) throw new InvalidOperationException($"building the lab VM's kernel and root image failed: {r}");
        string dir = r.Stdout.Trim().Split('\n')[^1];
        string release = File.ReadAllText(Path.Combine(dir, "kernel-release")).Trim();
        return new VmArtifacts(dir, release);
    }
}
