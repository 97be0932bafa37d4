using Routerd.Lab;

namespace Routerd.Vm;

/// <summary>What the VM tier needs from the host, each missing piece with the command that fixes
/// it. Callers fail with these: a tier that skips would pass without testing anything.</summary>
public static class VmPrerequisites
{
    static readonly (string Tool, string Package)[] Tools =
    [
        (VmPaths.Qemu, "qemu-system-x86"), ("mmdebstrap", "mmdebstrap"), ("mkfs.ext4", "e2fsprogs"),
        ("cpio", "cpio"), ("xz", "xz-utils"), ("flock", "util-linux"), ("dpkg-deb", "dpkg"), ("apt-get", "apt"),
    ];

    public static IReadOnlyList<string> Problems(string routerdBinary)
    {
        var problems = new List<string>();
        if (!Environment.IsPrivilegedProcess)
            problems.Add("the lab VM tier needs root (mmdebstrap, chroot, the artifact cache): run it with sudo, e.g. `sudo ./build.sh test`");
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"]).ToArray();
        foreach (var (tool, package) in Tools)
            if (!path.Any(dir => File.Exists(Path.Combine(dir, tool))))
                problems.Add($"`{tool}` is missing: apt-get install {package} (`./build.sh deps` installs all of them)");
        if (!File.Exists(VmPaths.QbootRom))
            problems.Add($"{VmPaths.QbootRom} is missing: apt-get install qemu-system-data");
        if (routerdBinary.EndsWith(".dll", StringComparison.Ordinal))
            problems.Add($"the guest has no .NET runtime: give the NativeAOT binary ({RouterdCommand.AotRelative}, built by `./build.sh build`), not {routerdBinary}");
        else if (!File.Exists(routerdBinary))
            problems.Add($"routerd is not built at {routerdBinary}: build it with `./build.sh build`");
        return problems;
    }

    public static void Check(string routerdBinary)
    {
        var problems = Problems(routerdBinary);
        if (problems.Count > 0) throw new VmUnavailableException(problems);
    }
}

public sealed class VmUnavailableException(IReadOnlyList<string> problems)
    : Exception("the lab VM tier cannot run here:\n  - " + string.Join("\n  - ", problems));
