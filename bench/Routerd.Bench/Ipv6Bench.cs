using System.Diagnostics;
using System.Text.Json.Nodes;
using Routerd.Core.Lan;
using Routerd.Lab;

namespace Routerd.Bench;

/// <summary>`bench ipv6` (issue 19), in the namespace lab with the ISP's Kea (prefix delegation)
/// and radvd:
/// - goodput: one TCP flow between the phone and the internet host over IPv6 and over IPv4
///   through routerd, interleaved in rounds, both directions; the figure is the median of the
///   rounds' IPv6/IPv4 ratios (the host is shared: only the ratio means something). In the same
///   rounds the same flows cross the kernel alone (routerd stopped, bench core's NAT-alone table),
///   whose IPv6/IPv4 ratio tells the kernel's share of an IPv6 gap from routerd's;
/// - readiness: the WAN's carrier comes back (the ISP side of the cable goes up) → the phone holds
///   a usable (not tentative, not deprecated) global address, p50 over the runs, with routerd and
///   with the same DHCPv6 client (dhcpcd) and dnsmasq configured by hand in the same namespaces,
///   in alternating blocks; the figure is routerd's p50 / the hand-made one's;
/// - renumbering: the ISP changes the prefix (Kea restarted with another pool) → phone and laptop
///   both hold a usable address in the new prefix.</summary>
static class Ipv6Bench
{
    const int GoodputRounds = 4, GoodputSeconds = 3, ReadyRuns = 10, ReadyBlock = 5, RenumberRuns = 3;
    const int IperfPort6 = 5207;
    static readonly TimeSpan Ready = TimeSpan.FromSeconds(60), Poll = TimeSpan.FromMilliseconds(50);
    /// <summary>The ISP's two pools: a renumbering moves the router from one to the other.</summary>
    static readonly string[] Pools = [Ipv6Isp.PdPool, "2001:db8:200::"];

    public static async Task<Report> Run(BenchOptions o)
    {
        var report = new Report("ipv6");
        using var bench = BenchLab.Create(o, startRouterd: false);
        var lab = bench.Lab;
        var kea = Ipv6Isp.Start(lab, Ipv6Isp.Timers.Short);
        try
        {
            lab.StartRouterd();
            await bench.WaitUntilRouting();
            string prefix = await WaitForPrefix(bench, _ => true);
            Ipv6Isp.RouteTo(lab, prefix);
            lab.StartIn(lab.IspNs, $"exec iperf3 -s -B {Ipv6Isp.InternetHost} -p {IperfPort6}", "isp-iperf3-v6");
            await lab.WaitFor(() => Usable(lab, lab.Phone, Prefix48(prefix)) is not null, Ready, "the phone's address in the delegated prefix");

            await Goodput(bench, report);
            kea = await Renumber(bench, kea, report);
            await Readiness(bench, report);
        }
        finally
        {
            kea.Dispose();
        }
        report.Detail("host", $"a shared machine ({Environment.ProcessorCount} cores, several engineers building and testing on it): absolute figures move " +
            "with its load (load_average); the goodput and readiness figures are ratios from interleaved runs.");
        return report;
    }

    /// <summary>iproute2 with its arguments as they are (no shell); "-n NS" picks the lab's namespace.</summary>
    static CommandResult Ip(params string[] args) => CommandResult.Run(["ip", .. args], TimeSpan.FromSeconds(10));

    /// <summary>"2001:db8:1xx:" — how the phone's addresses in a delegated /56 begin (the ULA and link-local never do).</summary>
    static string Prefix48(string delegated) => string.Join(':', delegated.Split(':').Take(3)) + ":";

    static async Task<string> WaitForPrefix(BenchLab bench, Func<string, bool> wanted)
    {
        string? prefix = null;
        await bench.Lab.WaitFor(async () => (await bench.Api.GetJson("/api/status"))["ipv6"] is { } v6 && v6["code"]?.GetValue<string>() == "ipv6/UP"
            && v6["delegatedPrefix"]?.GetValue<string>() is { } p && wanted(p) && (prefix = p) is not null, Ready, "routerd's WAN to get a delegated prefix from Kea");
        return prefix!;
    }

    /// <summary>The client's first usable global address beginning with <paramref name="start"/>, or null.</summary>
    static string? Usable(Lab.Lab lab, LabClient client, string start) =>
        Ip("-n", client.Namespace, "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global", "-tentative", "-deprecated").Stdout.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).FirstOrDefault())
            .OfType<string>().Select(a => a.Split('/')[0]).FirstOrDefault(a => a.StartsWith(start, StringComparison.Ordinal));

    /// <summary>Polls every 50 ms until <paramref name="done"/>; the seconds since <paramref name="since"/>.</summary>
    static double SecondsUntil(Stopwatch since, Func<bool> done, string what)
    {
        while (!done())
        {
            if (since.Elapsed > Ready) throw new TimeoutException($"waited {Ready.TotalSeconds:0} s for {what}");
            Thread.Sleep(Poll);
        }
        return since.Elapsed.TotalSeconds;
    }

    /// <summary>Each round measures four paths from the phone, each in both directions: IPv4 and
    /// IPv6 through routerd, then the same two through the kernel alone (<see cref="NatPath.Nat"/>:
    /// routerd stopped, conntrack's accept, IPv4 masqueraded, IPv6 routed). Routerd's IPv6/IPv4
    /// ratio says what IPv6 costs through routerd; the kernel's says what it costs on this kernel
    /// whoever sets the router up (40-byte headers, another route lookup); their quotient is
    /// routerd's part. Each ratio pairs runs of the same round and direction, and the figures are
    /// medians of those per-round ratios: the host drifts within a run.</summary>
    static async Task Goodput(BenchLab bench, Report report)
    {
        var lab = bench.Lab;
        var path = new NatPath(bench, Settle, restarted: () => Ipv6Back(bench, phone: true));
        var samples = new Dictionary<string, List<double>>();
        List<double> Of(string key) => samples.TryGetValue(key, out var l) ? l : samples[key] = [];
        for (int round = 0; round < GoodputRounds; round++)
        {
            Console.Error.WriteLine($"bench: ipv6 goodput, round {round + 1} of {GoodputRounds}");
            // routerd first in even rounds, the kernel first in odd ones: neither always comes
            // right after routerd's restart, and routerd restarts only every second round.
            string[] setups = round % 2 == 0 ? [NatPath.Routerd, NatPath.Nat] : [NatPath.Nat, NatPath.Routerd];
            var got = new Dictionary<string, (double V4, double V6)[]>();
            foreach (string setup in setups)
            {
                int r = round;
                got[setup] = await path.Measure(setup, what => setup == NatPath.Nat
                    ? WithDefaultRoute(lab, () => BothDirections(lab, r, what))
                    : BothDirections(lab, r, what));
            }
            foreach (var (v, k) in got[NatPath.Routerd].Zip(got[NatPath.Nat]))
            {
                Of("v4").Add(v.V4);
                Of("v6").Add(v.V6);
                Of("bare_v4").Add(k.V4);
                Of("bare_v6").Add(k.V6);
                Of("ratio").Add(v.V6 / v.V4);
                Of("bare_ratio").Add(k.V6 / k.V4);
                Of("vs_bare").Add(v.V6 / v.V4 / (k.V6 / k.V4));
            }
        }
        await path.Restore(); // renumbering and readiness need routerd running
        double Mbit(string key) => Stats.Median(samples[key]) / 1e6;
        report.Add("v6_goodput_ratio", "IPv6 / IPv4 goodput through routerd, one TCP flow (median of the rounds' ratios)", Stats.Median(samples["ratio"]), "", Target.Min(0.95));
        report.Add("v6_goodput_mbit", "  IPv6 goodput (median)", Mbit("v6"), "Mbit/s");
        report.Add("v4_goodput_mbit", "  IPv4 goodput (median)", Mbit("v4"), "Mbit/s");
        report.Add("bare_v6_goodput_ratio", "  the same paths, routerd stopped: the kernel alone's IPv6 / IPv4 (median)", Stats.Median(samples["bare_ratio"]), "");
        report.Add("v6_vs_bare_ratio", "  routerd's IPv6/IPv4 ratio / the kernel alone's: routerd's part of the gap (median)", Stats.Median(samples["vs_bare"]), "");
        report.Add("bare_v6_goodput_mbit", "  IPv6 goodput, the kernel alone (median)", Mbit("bare_v6"), "Mbit/s");
        report.Add("bare_v4_goodput_mbit", "  IPv4 goodput, the kernel alone (median)", Mbit("bare_v4"), "Mbit/s");
        report.Detail("goodput_ratio_samples", Report.Samples(samples["ratio"], 3));
        report.Detail("bare_goodput_ratio_samples", Report.Samples(samples["bare_ratio"], 3));
        report.Detail("v6_vs_bare_ratio_samples", Report.Samples(samples["vs_bare"], 3));
        report.Detail("goodput_mbit_samples", new JsonObject(new[] { "v4", "v6", "bare_v4", "bare_v6" }.Select(k =>
            KeyValuePair.Create(k, (JsonNode?)Report.Samples(samples[k].Select(v => v / 1e6), 1)))));
        report.Detail("goodput_test", $"iperf3, one flow, {GoodputSeconds} s after 1 s left out, phone ↔ internet host, each round a download and an upload per family " +
            "(IPv4 masqueraded, IPv6 routed: no NAT66) through routerd, then (or, every second round, first) the same through the kernel alone: routerd " +
            "stopped, its ruleset and queues removed, a table with only conntrack's established/related accept, LAN → WAN accept and IPv4 masquerade " +
            "(bench core's NAT-alone set-up), and the router's IPv6 default route (which routerd's dhcpcd takes with it) put back by hand. " +
            "The ratios pair the runs of the same round and direction; the samples are in round order, download before upload.");
    }

    /// <summary>How long a restarted routerd settles before it is measured (as bench core's).</summary>
    static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    /// <summary>A download and an upload, each over IPv4 and IPv6; the order of the families
    /// alternates by round, so that neither always runs first.</summary>
    static (double V4, double V6)[] BothDirections(Lab.Lab lab, int round, string setup) =>
        [.. new[] { true, false }.Select(download =>
        {
            var got = new Dictionary<int, double>();
            foreach (int family in round % 2 == 0 ? new[] { 6, 4 } : new[] { 4, 6 })
                got[family] = OneFlow(lab, family, download, $"{setup}: IPv{family} {(download ? "download" : "upload")}");
            return (got[4], got[6]);
        })];

    static double OneFlow(Lab.Lab lab, int family, bool download, string what)
    {
        if (family == 4) return Traffic.RunIperf(lab, lab.Phone, GoodputSeconds + 1, 1, download, what);
        var r = lab.RunIn(lab.Phone.Namespace, $"iperf3 -6 -c {Ipv6Isp.InternetHost} -p {IperfPort6} --connect-timeout 3000 -J " +
            $"-t {GoodputSeconds + 1} -O 1 -P 1{(download ? " -R" : "")}", TimeSpan.FromSeconds(GoodputSeconds + 30));
        if (r.TimedOut) throw new InvalidOperationException($"{what}: iperf3 did not finish: {r}");
        return Traffic.Goodput(r.Stdout, what);
    }

    /// <summary>The router's IPv6 default route comes from the ISP's router advertisements through
    /// routerd's dhcpcd, which removes it when it stops (the line printed here has said "none" in
    /// every run so far). With routerd stopped the same route (the ISP's link-local address) is
    /// added by hand for <paramref name="measure"/>, with a metric of its own so that it is never
    /// taken for dhcpcd's, and removed before routerd comes back.</summary>
    static T WithDefaultRoute<T>(Lab.Lab lab, Func<T> measure)
    {
        const string Metric = "4242";
        string isp = LinkLocal(lab.IspNs, "isp0") ?? throw new InvalidOperationException("the ISP's port has no link-local address");
        string left = Ip("-n", lab.RouterNs, "-6", "route", "show", "default").Stdout.Trim();
        Console.Error.WriteLine($"bench: the router's IPv6 default route with routerd stopped: {(left.Length == 0 ? "none" : left)}; added by hand via {isp}");
        Ip("-n", lab.RouterNs, "-6", "route", "replace", "default", "via", isp, "dev", "wan0", "metric", Metric).EnsureOk();
        try { return measure(); }
        finally { Ip("-n", lab.RouterNs, "-6", "route", "del", "default", "via", isp, "dev", "wan0", "metric", Metric).EnsureOk(); }
    }

    static string? LinkLocal(string ns, string dev) =>
        Ip("-n", ns, "-6", "-o", "addr", "show", "dev", dev, "scope", "link").Stdout
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).FirstOrDefault()?.Split('/')[0];

    /// <summary>The ISP moves the router to another pool; the time until both LAN clients hold a
    /// usable address in the new prefix. Kea's renew timer here is 3 s (Timers.Short): the router
    /// learns of the change at its next renewal, which is part of the figure.</summary>
    static async Task<LabProcess> Renumber(BenchLab bench, LabProcess kea, Report report)
    {
        var lab = bench.Lab;
        var seconds = new List<double>();
        var routerSeconds = new List<double>();
        for (int run = 0; run < RenumberRuns; run++)
        {
            Console.Error.WriteLine($"bench: ipv6 renumbering, run {run + 1} of {RenumberRuns}");
            string pool = Pools[(run + 1) % Pools.Length];
            string start = string.Join(':', pool.Split(':').Take(2)) + ":" + pool.Split(':')[2][..1]; // "2001:db8:2"
            kea.Dispose();
            var sw = Stopwatch.StartNew();
            kea = Ipv6Isp.StartKea(lab, pool, Ipv6Isp.Timers.Short);
            double router = SecondsUntil(sw, () => Ip("-n", lab.RouterNs, "-6", "-o", "addr", "show", "dev", "br-lan").Stdout.Contains("inet6 " + start, StringComparison.Ordinal),
                $"br-lan to take a prefix from {pool}");
            double all = SecondsUntil(sw, () => lab.Clients.All(c => Usable(lab, c, start) is not null), $"phone and laptop to take addresses from {pool}");
            routerSeconds.Add(router);
            seconds.Add(all);
            Ipv6Isp.RouteTo(lab, await WaitForPrefix(bench, p => p.StartsWith(start, StringComparison.Ordinal)));
        }
        report.Add("renumber_s", "prefix change at the ISP → every LAN client renumbered (p50)", Stats.Median(seconds), "s",
            Target.Max(DnsmasqRenderer.RaIntervalSeconds + 10));
        report.Add("renumber_router_s", "  of which until the new prefix is on br-lan (p50)", Stats.Median(routerSeconds), "s");
        report.Detail("renumber_samples_s", Report.Samples(seconds, 2));
        report.Detail("renumber_test", $"Kea restarted with another pool (its leases in memory only, so the router's next renewal, every {Ipv6Isp.Timers.Short.Renew} s here, " +
            $"finds the old prefix gone); the clock runs from Kea's restart until phone and laptop each hold a usable address in the new prefix. " +
            $"routerd's dnsmasq advertises every {DnsmasqRenderer.RaIntervalSeconds} s and at once when the bridge's prefixes change.");
        return kea;
    }

    /// <summary>Blocks of runs with routerd and with the hand-made set-up, alternating.</summary>
    static async Task Readiness(BenchLab bench, Report report)
    {
        var lab = bench.Lab;
        var routerd = new List<double>();
        var byHand = new List<double>();
        // The ISP keeps its addresses while its side of the cable is down (the default drops IPv6
        // addresses with the link): Kea and radvd serve the same addresses when it comes back.
        lab.RunIn(lab.IspNs, "sysctl -qw net.ipv6.conf.isp0.keep_addr_on_down=1").EnsureOk();
        for (int block = 0; block < ReadyRuns / ReadyBlock; block++)
        {
            Console.Error.WriteLine($"bench: ipv6 readiness with routerd, block {block + 1}");
            if (lab.Routerd is null) await StartRouterd(bench);
            for (int i = 0; i < ReadyBlock; i++) routerd.Add(ReadyOnce(lab));

            Console.Error.WriteLine($"bench: ipv6 readiness by hand, block {block + 1}");
            lab.StopRouterd();
            if (lab.PidsOf(lab.RouterNs, "dhcpcd").Count + lab.PidsOf(lab.RouterNs, "dnsmasq").Count > 0)
                throw new InvalidOperationException("routerd's dhcpcd or dnsmasq outlived it: the hand-made set-up would not be alone");
            using (HandMade.Start(lab))
                for (int i = 0; i < ReadyBlock; i++) byHand.Add(ReadyOnce(lab));
        }
        if (lab.Routerd is null) await StartRouterd(bench);
        double p50 = Stats.Median(routerd), handP50 = Stats.Median(byHand);
        report.Add("v6_ready_ratio", "WAN up → phone has a global address: routerd p50 / dhcpcd + dnsmasq by hand p50", p50 / handP50, "", Target.Max(1.2));
        report.Add("v6_ready_s", "  routerd (p50)", p50, "s");
        report.Add("v6_ready_hand_s", "  by hand (p50)", handP50, "s");
        report.Detail("ready_samples_s", new JsonObject { ["routerd"] = Report.Samples(routerd, 2), ["hand"] = Report.Samples(byHand, 2) });
        report.Detail("ready_test", "each run: the ISP's side of the WAN cable goes down, the router drops the delegated prefix from br-lan (dhcpcd sees " +
            "the carrier go), the phone's global addresses are removed; the clock starts when the cable comes back up and stops when the phone holds a " +
            "usable (not tentative, not deprecated) address in the delegated prefix. By hand: the same dhcpcd (prefix delegation onto br-lan itself) and " +
            $"dnsmasq (RA + DHCPv6 from the bridge's prefixes, RA interval {DnsmasqRenderer.RaIntervalSeconds} s) in the router's namespace, routerd stopped.");
    }

    /// <summary>Removes the addresses from the lab's delegated prefixes (2001:db8:…, not the ISP's WAN /64) from <paramref name="dev"/>.</summary>
    static void DropDelegated(string ns, string dev)
    {
        foreach (var line in Ip("-n", ns, "-6", "-o", "addr", "show", "dev", dev, "scope", "global").Stdout.Split('\n'))
            if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).FirstOrDefault() is { } a
                && a.StartsWith("2001:db8:", StringComparison.Ordinal) && !a.StartsWith("2001:db8:1::", StringComparison.Ordinal))
                Ip("-n", ns, "-6", "addr", "del", a, "dev", dev);
    }

    /// <summary>routerd again after the hand-made block: routing, and its prefix back on br-lan.</summary>
    static async Task StartRouterd(BenchLab bench)
    {
        bench.Lab.StartRouterd();
        await bench.WaitUntilRouting();
        await Ipv6Back(bench, phone: false);
    }

    /// <summary>A (re)started routerd's IPv6: its delegated prefix on br-lan; with
    /// <paramref name="phone"/>, also the ISP's route to that prefix (again, should Kea have
    /// delegated another) and the phone's usable address in it.</summary>
    static async Task Ipv6Back(BenchLab bench, bool phone)
    {
        var lab = bench.Lab;
        string prefix = await WaitForPrefix(bench, _ => true);
        await lab.WaitFor(() => Ip("-n", lab.RouterNs, "-6", "-o", "addr", "show", "dev", "br-lan").Stdout.Contains("inet6 2001:db8:", StringComparison.Ordinal),
            Ready, "routerd to put the delegated prefix on br-lan");
        if (!phone) return;
        Ipv6Isp.RouteTo(lab, prefix);
        await lab.WaitFor(() => Usable(lab, lab.Phone, Prefix48(prefix)) is not null, Ready, "the phone's address in the delegated prefix");
    }

    /// <summary>One cable cycle; the seconds from the carrier's return to the phone's usable global address.</summary>
    static double ReadyOnce(Lab.Lab lab)
    {
        const string Global = "inet6 2001:db8:";
        Ip("-n", lab.IspNs, "link", "set", "isp0", "down").EnsureOk();
        var down = Stopwatch.StartNew();
        SecondsUntil(down, () => !Ip("-n", lab.RouterNs, "-6", "-o", "addr", "show", "dev", "br-lan").Stdout.Contains(Global, StringComparison.Ordinal),
            "the router to take the delegated prefix off br-lan after the WAN's carrier went");
        // Only the delegated prefix's addresses: the ULA stays, as on a phone at home.
        DropDelegated(lab.Phone.Namespace, "eth0");
        Thread.Sleep(1000); // the router's side settles (a late deprecation RA) before the clock starts
        var up = Stopwatch.StartNew();
        Ip("-n", lab.IspNs, "link", "set", "isp0", "up").EnsureOk();
        return SecondsUntil(up, () => Usable(lab, lab.Phone, "2001:db8:") is not null, "the phone's global address after the WAN came back");
    }

    /// <summary>The reference: dhcpcd and dnsmasq as someone would set them up by hand on the same
    /// router, with what routerd's own instances are told (DnsmasqRenderer's IPv6 lines, the WAN
    /// options of DhcpcdRenderer), except that dhcpcd puts the first /64 of the prefix on br-lan
    /// itself. dhcpcd gets a private mount namespace with its own /run/dhcpcd and state.</summary>
    sealed class HandMade(Lab.Lab lab, LabProcess dhcpcd, LabProcess dnsmasq) : IDisposable
    {
        public static HandMade Start(Lab.Lab lab)
        {
            ClearBridge(lab); // routerd's prefix, which it leaves on the bridge when it stops
            string dir = Path.Combine(lab.Dir, "ipv6-by-hand");
            Directory.CreateDirectory(Path.Combine(dir, "run"));
            Directory.CreateDirectory(Path.Combine(dir, "state"));
            string conf = Path.Combine(dir, "dhcpcd.conf");
            File.WriteAllText(conf, $"""
                allowinterfaces wan0 br-lan
                noipv4
                duid
                script /bin/true
                interface wan0
                	ipv6rs
                	ia_na 1
                	ia_pd 2/::/{Ipv6Isp.DelegatedLength} br-lan/0/64
                interface br-lan
                	noipv6rs

                """);
            string dns = Path.Combine(dir, "dnsmasq.conf");
            File.WriteAllText(dns, $"""
                interface=br-lan
                bind-dynamic
                port=0
                user=root
                enable-ra
                ra-param=br-lan,{DnsmasqRenderer.RaIntervalSeconds}
                dhcp-range=::1000,::ffff,constructor:br-lan,ra-names,slaac,64,43200
                dhcp-leasefile={dir}/dnsmasq.leases

                """);
            var d = lab.StartIn(lab.RouterNs, "exec unshare --mount --propagation private sh -c 'mkdir -p /run/dhcpcd /var/lib/dhcpcd"
                + $" && mount --bind {dir}/run /run/dhcpcd && mount --bind {dir}/state /var/lib/dhcpcd && exec dhcpcd -6 -B -f {conf}'", "hand-dhcpcd");
            var m = lab.StartIn(lab.RouterNs, $"exec dnsmasq --keep-in-foreground --log-facility=- --conf-file={dns} --pid-file=", "hand-dnsmasq");
            // Ready when dhcpcd has put the prefix on br-lan for the first time.
            var sw = Stopwatch.StartNew();
            SecondsUntil(sw, () => Ip("-n", lab.RouterNs, "-6", "-o", "addr", "show", "dev", "br-lan").Stdout.Contains("inet6 2001:db8:", StringComparison.Ordinal),
                $"the hand-made dhcpcd to put a delegated prefix on br-lan: {d.Output}");
            return new HandMade(lab, d, m);
        }

        public void Dispose()
        {
            dhcpcd.Dispose();
            dnsmasq.Dispose();
            ClearBridge(lab);
        }

        /// <summary>Takes every delegated-prefix address off br-lan: the next set-up starts without one.</summary>
        static void ClearBridge(Lab.Lab of) => DropDelegated(of.RouterNs, "br-lan");
    }
}
