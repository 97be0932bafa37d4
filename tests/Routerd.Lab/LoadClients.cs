using System.Diagnostics;
using System.Globalization;

namespace Routerd.Lab;

/// <summary>Load on the LAN (issue 18): many DHCP clients at once and a full conntrack table. The
/// clients are macvlan interfaces on the phone's cable (its namespace, its eth0), each with its own
/// MAC address and a busybox udhcpc that quits once leased; they all start together. The
/// connections are UDP flows from the phone through the router's NAT to the internet host, one
/// packet each, distinct ports, so every one is a conntrack entry in the router's namespace.</summary>
public static class LoadClients
{
    /// <summary>The LAN's DHCP pool must hold the load clients besides the lab's two.</summary>
    public const string PoolStart = "192.168.1.2", PoolEnd = "192.168.1.254";

    public static string Mac(int i) => $"02:00:00:10:{i / 256:x2}:{i % 256:x2}";

    /// <summary>Starts <paramref name="count"/> DHCP clients at once and waits for them (at most
    /// <paramref name="timeout"/>); returns how many were leased and how long the last one took.</summary>
    public static (int Leased, TimeSpan Elapsed) TakeLeases(Lab lab, int count, TimeSpan timeout)
    {
        string dir = Path.Combine(lab.Dir, "load");
        Directory.CreateDirectory(dir);
        string hook = Path.Combine(dir, "hook.sh");
        File.WriteAllText(hook, $"#!/bin/sh\n[ \"$1\" = bound ] && echo \"$ip\" > {dir}/$interface.lease\nexit 0\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string ns = lab.Phone.Namespace;
        // The interfaces first (a batch), then every client in one burst.
        string batch = Path.Combine(dir, "links.batch");
        File.WriteAllLines(batch, Enumerable.Range(0, count).SelectMany(i => new[]
        {
            $"link add mv{i} link eth0 address {Mac(i)} type macvlan mode bridge",
            $"link set mv{i} up",
        }));
        lab.RunIn(ns, $"ip -batch {batch}", TimeSpan.FromSeconds(60)).EnsureOk();
        var clock = Stopwatch.StartNew();
        var run = lab.RunIn(ns,
            $"for i in $(seq 0 {count - 1}); do udhcpc -q -f -i mv$i -x hostname:load$i -s {hook} -T 2 -t 30 -A 2 > /dev/null 2>&1 & done; wait",
            timeout);
        var elapsed = clock.Elapsed;
        int leased = Directory.GetFiles(dir, "*.lease").Length;
        // Stragglers (never leased) are ours alone to stop: by their interface, not by name.
        foreach (int pid in lab.PidsOf(ns, "udhcpc"))
        {
            try
            {
                if (File.ReadAllText($"/proc/{pid}/cmdline").Contains("\0-i\0mv", StringComparison.Ordinal)) Posix.Kill(pid, Posix.SIGKILL);
            }
            catch (IOException) { } // gone meanwhile
        }
        return (leased, elapsed);
    }

    /// <summary>Fills the router's conntrack table with at least <paramref name="flows"/> UDP flows
    /// (their timeout raised in the router's own namespace so they last the measurement); returns
    /// how many entries the router holds.</summary>
    public static int FillConntrack(Lab lab, int flows)
    {
        lab.RunIn(lab.RouterNs, "sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600").EnsureOk();
        int perSocket = 30000, sockets = (flows + perSocket - 1) / perSocket;
        // One packet per destination port from each of a few sockets: each is a new 5-tuple.
        string py = "import socket,sys\n" +
                    $"for s in range({sockets}):\n" +
                    "    k = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
                    $"    for p in range(1, {perSocket + 1}):\n" +
                    $"        k.sendto(b'x', ('{LabAddresses.InternetHost}', p))\n";
        string script = Path.Combine(lab.Dir, "flows.py");
        File.WriteAllText(script, py);
        lab.RunIn(lab.Phone.Namespace, $"python3 {script}", TimeSpan.FromSeconds(120)).EnsureOk();
        return int.Parse(lab.RunIn(lab.RouterNs, "conntrack -C").EnsureOk().Stdout.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Times <paramref name="requests"/> sequential GET /api/devices over the control socket (after a warm-up of 50 unless
    /// <paramref name="warmUp"/> is false: a second batch after a first); sorted, in ms.</summary>
    public static async Task<double[]> DeviceListTimes(RouterdApi api, int requests, bool warmUp = true)
    {
        if (warmUp) for (int i = 0; i < 50; i++) using (await api.Get("/api/devices")) { }
        var ms = new double[requests];
        for (int i = 0; i < requests; i++)
        {
            var sw = Stopwatch.StartNew();
            using var r = await api.Get("/api/devices");
            await r.Content.ReadAsByteArrayAsync();
            ms[i] = sw.Elapsed.TotalMilliseconds;
            r.EnsureSuccessStatusCode();
        }
        Array.Sort(ms);
        return ms;
    }

    public static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    public static double RssMb(int pid) => double.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}
