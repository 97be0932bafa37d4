using System.Net;
using Routerd.Core.Firewall;
using Routerd.Core.VirtualServers;

namespace Routerd.Platform.Net;

/// <summary>Active connections per virtual-server backend on the nftables path, counted from the
/// kernel's connection table as /proc/net/nf_conntrack shows it (this network namespace's; the
/// file exists where the kernel has CONFIG_NF_CONNTRACK_PROCFS). Read on demand by the API.</summary>
public sealed class ConntrackProcTable(string path = "/proc/net/nf_conntrack") : IBackendConnections
{
    public IReadOnlyDictionary<(int Server, IPAddress Address, int Port), int> Active(BackendPool pool)
    {
        if (!pool.Servers.Any(s => s.Server.Enabled)) return new Dictionary<(int, IPAddress, int), int>();
        IEnumerable<string> lines;
        try { lines = File.ReadLines(path).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return new Dictionary<(int, IPAddress, int), int>(); }
        return ConntrackCount.Count(pool, lines.Select(Parse).OfType<ConntrackFlow>());
    }

    /// <summary>One line: "ipv4 2 tcp 6 431999 ESTABLISHED src=A dst=B sport=P dport=Q src=B' dst=A' sport=Q' dport=P' [ASSURED] ...";
    /// the first four keys are the original direction, the next four the reply. Null: not an IPv4 TCP or UDP entry.</summary>
    public static ConntrackFlow? Parse(string line)
    {
        var t = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (t.Length < 6 || t[0] != "ipv4") return null;
        ForwardProtocols protocol = t[2] switch { "tcp" => ForwardProtocols.Tcp, "udp" => ForwardProtocols.Udp, _ => 0 };
        if (protocol == 0) return null;
        var values = new List<(string Key, string Value)>();
        foreach (var token in t)
            if (token.IndexOf('=') is int eq and > 0) values.Add((token[..eq], token[(eq + 1)..]));
        string? Nth(string key, int n) => values.Where(v => v.Key == key).Select(v => v.Value).Skip(n).FirstOrDefault();
        if (!IPAddress.TryParse(Nth("dst", 0), out var dst) || !IPAddress.TryParse(Nth("src", 1), out var replySrc)
            || !int.TryParse(Nth("dport", 0), out int dport) || !int.TryParse(Nth("sport", 1), out int replySport)) return null;
        bool established = protocol == ForwardProtocols.Udp || t[5] == "ESTABLISHED";
        return new ConntrackFlow(protocol, dst, dport, replySrc, replySport, established);
    }
}
