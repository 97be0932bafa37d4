namespace Routerd.Lab;

using static LabAddresses;

/// <summary>What runs in the ISP namespace: dnsmasq as the WAN's DHCP and DNS server, and the
/// "internet host" services (HTTP, whoami, iperf3) bound to <see cref="InternetHost"/>.</summary>
public static class IspServices
{
    /// <summary>The ISP's dnsmasq: DHCP for the router's WAN port from <paramref name="poolStart"/>–<paramref name="poolEnd"/>
    /// with <paramref name="gateway"/> as router and resolver, a resolver that knows the lab's
    /// internet, and authoritative (a lease from another server is refused at renewal).
    /// Returns the file's path.</summary>
    public static string WriteDnsmasqConf(string dir, string poolStart, string poolEnd, string gateway, string leaseTime = "1h")
    {
        Directory.CreateDirectory(dir);
        string conf = Path.Combine(dir, "dnsmasq.conf");
        File.WriteAllText(conf, $"""
            interface=isp0
            bind-interfaces
            except-interface=lo
            no-resolv
            no-hosts
            user=root
            address=/{InternetName}/{InternetHost}
            dhcp-authoritative
            dhcp-range={poolStart},{poolEnd},255.255.255.0,{leaseTime}
            dhcp-option=option:router,{gateway}
            dhcp-option=option:dns-server,{gateway}
            dhcp-leasefile={Path.Combine(dir, "dnsmasq.leases")}
            log-dhcp

            """);
        return conf;
    }

    /// <summary>Writes the files the services need into <paramref name="dir"/> and returns their
    /// command lines by name.</summary>
    public static IReadOnlyDictionary<string, string[]> Prepare(string dir, string ns, string leaseTime = "1h")
    {
        Directory.CreateDirectory(dir);
        string www = Path.Combine(dir, "www");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, HelloPath.TrimStart('/')), HelloText + "\n");

        string conf = WriteDnsmasqConf(dir, WanPoolStart, WanPoolEnd, Isp, leaseTime);

        string[] In(params string[] argv) => ["ip", "netns", "exec", ns, .. argv];
        return new Dictionary<string, string[]>
        {
            // An empty --pid-file keeps dnsmasq from writing /run/dnsmasq/dnsmasq.pid, which would
            // collide with other labs and the host.
            ["isp-dnsmasq"] = In("dnsmasq", "--keep-in-foreground", "--log-facility=-", $"--conf-file={conf}", "--pid-file="),
            ["isp-httpd"] = In("busybox", "httpd", "-f", "-vv", "-p", $"{InternetHost}:{HttpPort}", "-h", www),
            ["isp-whoami"] = In("socat", $"TCP-LISTEN:{WhoamiPort},bind={InternetHost},reuseaddr,fork", "SYSTEM:echo $SOCAT_PEERADDR"),
            ["isp-iperf3"] = In("iperf3", "-s", "-B", InternetHost, "-p", IperfPort.ToString()),
        };
    }
}
