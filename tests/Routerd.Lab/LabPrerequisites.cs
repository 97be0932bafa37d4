namespace Routerd.Lab;

/// <summary>What the lab needs from the machine. A missing piece is reported with its fix, and
/// callers fail with it: a test tier that silently skips would pass without testing anything.</summary>
public static class LabPrerequisites
{
    /// <summary>Each tool the lab or its tests run, with the Debian package that brings it.</summary>
    static readonly (string Tool, string Package)[] Tools =
    [
        ("ip", "iproute2"), ("ss", "iproute2"), ("dnsmasq", "dnsmasq-base"), ("udhcpc", "udhcpc"), ("busybox", "busybox"),
        ("socat", "socat"), ("iperf3", "iperf3"), ("conntrack", "conntrack"), ("nft", "nftables"),
        ("curl", "curl"), ("setsid", "util-linux"), ("timeout", "coreutils"), ("ping", "iputils-ping"),
        ("pppoe-server", "pppoe"), ("pppd", "ppp"),
        ("dhcpcd", "dhcpcd-base"), ("unshare", "util-linux"), ("kea-dhcp6", "kea-dhcp6-server"), ("radvd", "radvd"),
    ];

    /// <summary>Every problem found, each with how to fix it; empty when the lab can run.</summary>
    public static IReadOnlyList<string> Problems(RouterdCommand routerd)
    {
        var problems = new List<string>();
        if (!Environment.IsPrivilegedProcess)
            problems.Add("the namespace lab needs root (network namespaces, nftables): run it with sudo, e.g. `sudo ./build.sh test`");
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"]).ToArray();
        foreach (var (tool, package) in Tools)
            if (!path.Any(dir => File.Exists(Path.Combine(dir, tool))))
                problems.Add($"`{tool}` is missing: install the Debian package {package} (`./build.sh deps` installs all of them)");
        if (!File.Exists(routerd.Binary))
            problems.Add($"routerd is not built at {routerd.Binary}: {routerd.HowToBuild}");
        return problems;
    }

    /// <summary>Throws <see cref="LabUnavailableException"/> naming every problem.</summary>
    public static void Check(RouterdCommand routerd)
    {
        var problems = Problems(routerd);
        if (problems.Count > 0) throw new LabUnavailableException(problems);
    }
}

public sealed class LabUnavailableException(IReadOnlyList<string> problems)
    : Exception("the namespace lab cannot run here:\n  - " + string.Join("\n  - ", problems));
