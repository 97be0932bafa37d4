namespace Routerd.Lab;

/// <summary>The ISP's IPv6 in the lab: Kea (kea-dhcp6-server) gives the router's WAN an address
/// (IA_NA) and delegates prefixes (pd-pools), radvd sends router advertisements (the WAN's
/// default route), and an "internet host" answers on <see cref="InternetHost"/>.</summary>
public static class Ipv6Isp
{
    public const string IspAddress = "2001:db8:1::1";
    public const string WanSubnet = "2001:db8:1::/64";
    /// <summary>Where delegated prefixes come from: /56s out of this /40.</summary>
    public const string PdPool = "2001:db8:100::", PdPoolLength = "40";
    public const int DelegatedLength = 56;
    public const string InternetHost = "2001:db8:ffff::10";
    public const int HelloPort = 7006;
    public const string HelloText = "hello over IPv6";

    /// <summary>Lease timers in seconds: renew, rebind, preferred, valid.</summary>
    public sealed record Timers(int Renew, int Rebind, int Preferred, int Valid)
    {
        public static readonly Timers Long = new(1000, 2000, 3000, 4000);
        /// <summary>Renewals every few seconds, so a changed pool reaches the router quickly.</summary>
        public static readonly Timers Short = new(3, 5, 20, 30);
    }

    /// <summary>Addresses, the internet host's service, Kea and radvd in <paramref name="lab"/>'s ISP
    /// namespace. Returns Kea's process (stop it and call <see cref="StartKea"/> to renumber).</summary>
    public static LabProcess Start(Lab lab, Timers? timers = null)
    {
        string dir = Path.Combine(lab.Dir, "isp6");
        Directory.CreateDirectory(dir);
        StartInternetHost(lab);
        File.WriteAllText(Path.Combine(dir, "radvd.conf"), $$"""
            interface isp0 {
              AdvSendAdvert on; MinRtrAdvInterval 3; MaxRtrAdvInterval 10;
              AdvManagedFlag on; AdvOtherConfigFlag on;
              prefix {{WanSubnet}} { AdvOnLink on; AdvAutonomous off; };
            };
            """);
        lab.StartIn(lab.IspNs, $"exec radvd -n -C {dir}/radvd.conf -p {dir}/radvd.pid -m stderr", "isp-radvd");
        return StartKea(lab, PdPool, timers ?? Timers.Long);
    }

    /// <summary>The ISP's side of the WAN link and the internet host with its service, nothing that
    /// configures the router (a fixed line's ISP: <see cref="Start"/> adds radvd and Kea).</summary>
    public static void StartInternetHost(Lab lab)
    {
        Netns.Ip("-n", lab.IspNs, "addr", "add", $"{IspAddress}/64", "dev", "isp0", "nodad").EnsureOk();
        Netns.Ip("-n", lab.IspNs, "addr", "add", $"{InternetHost}/128", "dev", "lo").EnsureOk();
        lab.StartIn(lab.IspNs, $"exec socat TCP6-LISTEN:{HelloPort},bind=[{InternetHost}],reuseaddr,fork SYSTEM:'echo {HelloText}'", "isp-hello6");
    }

    /// <summary>The ISP routes <paramref name="prefix"/> to the router's fixed WAN address (a business line's routed prefix).</summary>
    public static void RouteToAddress(Lab lab, string prefix, string routerAddress) =>
        Netns.Ip("-n", lab.IspNs, "-6", "route", "replace", prefix, "via", routerAddress, "dev", "isp0").EnsureOk();

    /// <summary>The ISP routes <paramref name="delegatedPrefix"/> to the router's WAN link-local
    /// address, as an ISP's router does for a prefix it delegated (Kea hands prefixes out, it does
    /// not route them).</summary>
    public static void RouteTo(Lab lab, string delegatedPrefix)
    {
        string routerLinkLocal = lab.RunIn(lab.RouterNs, "ip -6 -o addr show dev wan0 scope link").Stdout
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).FirstOrDefault()?.Split('/')[0]
            ?? throw new InvalidOperationException("the router's WAN port has no link-local address");
        var route = lab.RunIn(lab.IspNs, $"ip -6 route replace {delegatedPrefix} via {routerLinkLocal} dev isp0");
        if (!route.Ok) throw new InvalidOperationException($"the ISP could not route the delegated prefix: {route}");
    }

    /// <summary>Kea delegating /56s out of <paramref name="pool"/>/40; its leases live in memory only,
    /// so a restarted Kea with another pool gives the router a new prefix at its next renewal.</summary>
    public static LabProcess StartKea(Lab lab, string pool, Timers timers)
    {
        string dir = Path.Combine(lab.Dir, "isp6");
        string kea = Path.Combine(dir, "kea-dhcp6.json");
        File.WriteAllText(kea, $$"""
            { "Dhcp6": {
              "interfaces-config": { "interfaces": [ "isp0" ], "service-sockets-max-retries": 120, "service-sockets-retry-wait-time": 1000 },
              "data-directory": "{{dir}}",
              "server-id": { "type": "LL", "persist": false },
              "lease-database": { "type": "memfile", "persist": false },
              "preferred-lifetime": {{timers.Preferred}}, "valid-lifetime": {{timers.Valid}}, "renew-timer": {{timers.Renew}}, "rebind-timer": {{timers.Rebind}},
              "subnet6": [ { "id": 1, "subnet": "{{WanSubnet}}", "interface": "isp0",
                "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ],
                "pd-pools": [ { "prefix": "{{pool}}", "prefix-len": {{PdPoolLength}}, "delegated-len": {{DelegatedLength}} } ],
                "option-data": [ { "name": "dns-servers", "data": "{{IspAddress}}" } ] } ],
              "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
            } }
            """);
        // isp0 has no carrier until routerd brings its WAN port up: Kea tries its socket again each second.
        // Kea's pid and lock files go to the lab's directory, not /run/kea (shared with other labs).
        return lab.StartIn(lab.IspNs, $"exec env KEA_PIDFILE_DIR={dir} KEA_LOCKFILE_DIR={dir} kea-dhcp6 -c {kea}", "isp-kea");
    }
}
