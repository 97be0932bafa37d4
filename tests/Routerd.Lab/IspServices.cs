namespace Routerd.Lab;

using static LabAddresses;

/// <summary>What runs in the ISP namespace: dnsmasq as the WAN's DHCP and DNS server, and the
/// "internet host" services (HTTP, whoami, iperf3) bound to <see cref="InternetHost"/>.</summary>
static class IspServices
{
    /// <summary>Writes the files the services need into <paramref name="dir"/> and returns their
    /// command lines by name.</summary>
    public static IReadOnlyDictionary<string, string[]> Prepare(string dir, string ns, string leaseTime = "1h")
    {
        Directory.CreateDirectory(dir);
        string www = Path.Combine(dir, "www");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, HelloPath.TrimStart('/')), HelloText + "\n");

        string conf = Path.Combine(dir, "dnsmasq.conf");
        File.WriteAllText(conf, $"""
            # The ISP: DHCP for the router's WAN port and a resolver that knows the lab's internet.
            interface=isp0
            bind-interfaces
            except-interface=lo
            no-resolv
            no-hosts
            user=root
            address=/{InternetName}/{InternetHost}
            dhcp-authoritative
            dhcp-range={WanPoolStart},{WanPoolEnd},255.255.255.0,{leaseTime}
            dhcp-option=option:router,{Isp}
            dhcp-option=option:dns-server,{Isp}
            dhcp-leasefile={Path.Combine(dir, "dnsmasq.leases")}
            log-dhcp

            """);

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
