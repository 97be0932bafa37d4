using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>The internet cannot open connections into the router or the LAN. The ISP is given a
/// route to the LAN via the router's WAN address, the strongest position a neighbour on the WAN
/// can take. Each refusal is paired with a LAN-side check that the same service is up, so a
/// test cannot pass just because nothing was listening.</summary>
public sealed class WanIsolationTests : IClassFixture<LabFixture>, IDisposable
{
    const int PhonePort = 7001;
    readonly Lab.Lab lab;
    readonly LabProcess phoneService;

    public WanIsolationTests(LabFixture fixture)
    {
        lab = fixture.Lab;
        lab.RunIn(lab.IspNs, $"ip route replace {LabAddresses.LanSubnet} via {lab.WanIp()} dev isp0").EnsureOk();
        phoneService = lab.StartIn(lab.Phone.Namespace, $"socat TCP-LISTEN:{PhonePort},reuseaddr,fork SYSTEM:'echo phone'", "phone-service");
        lab.WaitFor(() => lab.RunIn(lab.Phone.Namespace, $"ss -Htln 'sport = :{PhonePort}'").Stdout.Contains("LISTEN"),
            TimeSpan.FromSeconds(5), "the phone's test service to listen").GetAwaiter().GetResult();
    }

    public void Dispose() => phoneService.Dispose();

    CommandResult FromIsp(string command) => lab.RunIn(lab.IspNs, command);

    static string Curl(string host) => $"curl -sS --max-time 3 -o /dev/null http://{host}/";
    /// <summary>Opens a TCP connection and closes it again; fails if it cannot be opened.</summary>
    static string Tcp(string host, int port) => $"timeout 4 socat -T 3 /dev/null TCP:{host}:{port},connect-timeout=3";
    /// <summary>Opens a TCP connection and prints what the service answers.</summary>
    static string Ask(string host, int port) => $"timeout 4 socat -T 3 - TCP:{host}:{port},connect-timeout=3";
    static string Dns(string server) => $"timeout 4 busybox nslookup -type=a phone.lan {server}";

    [Fact]
    public void The_web_ui_answers_on_the_lan_but_not_to_the_isp()
    {
        Assert.True(lab.RunIn(lab.Phone.Namespace, Curl(LabAddresses.RouterLan)).Ok, "the web UI must answer the phone");
        AssertRefused(FromIsp(Curl(lab.WanIp())));
        AssertRefused(FromIsp(Curl(LabAddresses.RouterLan)));
    }

    [Fact]
    public void Dns_on_the_router_answers_the_lan_but_not_the_isp()
    {
        var lan = lab.RunIn(lab.Phone.Namespace, Dns(LabAddresses.RouterLan));
        Assert.True(lan.Ok, $"the router's DNS must answer the phone: {lan}");
        AssertRefused(FromIsp(Dns(lab.WanIp())));
        AssertRefused(FromIsp(Dns(LabAddresses.RouterLan)));
        AssertRefused(FromIsp(Tcp(LabAddresses.RouterLan, 53)));
    }

    [Fact]
    public void A_lan_client_is_reachable_from_the_router_but_not_from_the_isp()
    {
        string phone = lab.LeaseOf(lab.Phone)!.Address;
        var fromRouter = lab.RunIn(lab.RouterNs, Ask(phone, PhonePort));
        Assert.True(fromRouter.Ok && fromRouter.Stdout.Contains("phone"), $"the phone's service must answer on the LAN: {fromRouter}");
        AssertRefused(FromIsp(Tcp(phone, PhonePort)));
    }

    /// <summary>Not isolation, but its counterpart: the LAN is one network. Where the kernel has
    /// br_netfilter loaded (Docker hosts, many distributions), bridged traffic between two LAN
    /// ports passes the inet forward hook, so the firewall must let br-lan → br-lan through.</summary>
    [Fact]
    public void Lan_clients_reach_each_other_across_the_bridge()
    {
        string phone = lab.LeaseOf(lab.Phone)!.Address;
        string bridgeNf = lab.RunIn(lab.RouterNs, "cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo absent").Stdout.Trim();
        var fromLaptop = lab.RunIn(lab.Laptop.Namespace, Ask(phone, PhonePort));
        Assert.True(fromLaptop.Ok && fromLaptop.Stdout.Contains("phone"),
            $"the laptop must reach the phone (bridge-nf-call-iptables in the router: {bridgeNf}): {fromLaptop}");
    }

    void AssertRefused(CommandResult attempt) =>
        Assert.False(attempt.Ok, $"the ISP got through: {attempt}");
}
