using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>The ISP runs Kea (prefix delegation) and radvd; routerd starts after them, as a router
/// plugged into a dual-stack line.</summary>
public class Ipv6LabFixture : LabFixture
{
    static readonly TimeSpan Ready = TimeSpan.FromSeconds(60);
    protected override bool StartRouterd => false;
    protected virtual Ipv6Isp.Timers Timers => Ipv6Isp.Timers.Long;

    public string DelegatedPrefix { get; private set; } = "";
    public LabProcess? Kea { get; set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Kea = Ipv6Isp.Start(Lab, Timers);
        Lab.StartRouterd();
        await WaitForPrefix(_ => true);
        await Lab.WaitForLeases(Ready);
    }

    /// <summary>Waits until the status shows a delegated prefix that <paramref name="wanted"/> accepts,
    /// then has the ISP route it to the router (Kea hands prefixes out, it does not route them).</summary>
    public async Task WaitForPrefix(Func<string, bool> wanted)
    {
        await Lab.WaitFor(async () => (await Api.GetJson("/api/status"))["ipv6"] is { } v6 && v6["code"]?.GetValue<string>() == "ipv6/UP"
            && wanted(v6["delegatedPrefix"]!.GetValue<string>()), Ready, "routerd's WAN to get a delegated prefix from Kea");
        DelegatedPrefix = (await Api.GetJson("/api/status"))["ipv6"]!["delegatedPrefix"]!.GetValue<string>();
        string routerLinkLocal = Lab.RunIn(Lab.RouterNs, "ip -6 -o addr show dev wan0 scope link").Stdout
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).First().Split('/')[0];
        var route = Lab.RunIn(Lab.IspNs, $"ip -6 route replace {DelegatedPrefix} via {routerLinkLocal} dev isp0");
        if (!route.Ok) throw new InvalidOperationException($"the ISP could not route the delegated prefix: {route}");
    }
}

/// <summary>Short lease timers, so that a new pool at the ISP reaches the router within seconds.</summary>
public sealed class Ipv6RenumberFixture : Ipv6LabFixture
{
    protected override Ipv6Isp.Timers Timers => Ipv6Isp.Timers.Short;
}

public sealed class Ipv6RenumberTests(Ipv6RenumberFixture fixture) : IClassFixture<Ipv6RenumberFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    static readonly TimeSpan Slaac = TimeSpan.FromSeconds(60);

    string PhoneAddresses() => lab.RunIn(lab.Phone.Namespace, "ip -6 -o addr show dev eth0 scope global -tentative").Stdout;

    [Fact]
    public async Task A_new_prefix_from_the_isp_renumbers_the_lan_and_deprecates_the_old_one()
    {
        string old = fixture.DelegatedPrefix.Split("::")[0] + ":";
        await lab.WaitFor(() => PhoneAddresses().Contains("inet6 " + old), Slaac, "the phone's address in the first prefix");

        // The ISP renumbers: a restarted Kea with another pool knows nothing of the old prefix.
        fixture.Kea!.Dispose();
        fixture.Kea = Ipv6Isp.StartKea(lab, "2001:db8:200::", Ipv6Isp.Timers.Short);
        await fixture.WaitForPrefix(p => p.StartsWith("2001:db8:2", StringComparison.Ordinal));
        string next = fixture.DelegatedPrefix.Split("::")[0] + ":";
        Assert.DoesNotContain(old + ":1/64", lab.RunIn(lab.RouterNs, "ip -6 -o addr show dev br-lan").Stdout);

        await lab.WaitFor(() => PhoneAddresses().Contains("inet6 " + next), Slaac, "the phone's address in the new prefix");
        // dnsmasq advertises the prefix that left br-lan with preferred lifetime 0: the phone keeps
        // the old address only as deprecated (or has dropped it), so new connections use the new one.
        await lab.WaitFor(() => PhoneAddresses().Split('\n').Where(l => l.Contains("inet6 " + old)).All(l => l.Contains("deprecated")),
            Slaac, "the phone's old address to be deprecated");
        var hello = lab.RunIn(lab.Phone.Namespace, $"socat -T 5 - TCP6:[{Ipv6Isp.InternetHost}]:{Ipv6Isp.HelloPort},connect-timeout=5 </dev/null");
        Assert.True(hello.Ok, $"{hello}\n{PhoneAddresses()}");
        Assert.Equal(Ipv6Isp.HelloText, hello.Stdout.Trim());
    }
}

public sealed class Ipv6Tests(Ipv6LabFixture fixture) : IClassFixture<Ipv6LabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    static readonly TimeSpan Slaac = TimeSpan.FromSeconds(40);

    /// <summary>The LAN /64 routerd took from the delegated prefix: its first, "2001:db8:1xx:yy00:".</summary>
    string LanPrefixStart() => fixture.DelegatedPrefix.Split("::")[0] + ":";

    string? GlobalAddress(LabClient client) =>
        // Not while duplicate address detection runs: a tentative address is not used as a source yet.
        lab.RunIn(client.Namespace, "ip -6 -o addr show dev eth0 scope global -tentative").Stdout.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).FirstOrDefault())
            .OfType<string>().Select(a => a.Split('/')[0]).FirstOrDefault(a => a.StartsWith(LanPrefixStart(), StringComparison.Ordinal));

    /// <summary>What a failure needs to be understood: the router's and the ISP's IPv6 and dhcpcd's log.</summary>
    string Ipv6State() =>
        $"router:\n{lab.RunIn(lab.RouterNs, "ip -6 addr; ip -6 route").Stdout}\nisp:\n{lab.RunIn(lab.IspNs, "ip -6 route").Stdout}\n"
        + $"dhcpcd.log:\n{(File.Exists(Path.Combine(lab.LogDir, "dhcpcd.log")) ? File.ReadAllText(Path.Combine(lab.LogDir, "dhcpcd.log")) : "(none)")}";

    [Fact]
    public async Task The_wan_gets_an_address_and_a_56_and_the_status_shows_them()
    {
        var v6 = (await fixture.Api.GetJson("/api/status"))["ipv6"]!;
        Assert.EndsWith("/56", v6["delegatedPrefix"]!.GetValue<string>());
        Assert.StartsWith("2001:db8:1", v6["wanAddress"]!.GetValue<string>());
        Assert.InRange(v6["prefixLifetimeSeconds"]!.GetValue<long>(), 1, 4000);
        var lan = v6["lanPrefixes"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        Assert.Contains(LanPrefixStart() + ":/64", lan);
        Assert.Contains(lan, p => p.StartsWith("fd", StringComparison.Ordinal));
        Assert.Contains("scope global", lab.RunIn(lab.RouterNs, "ip -6 -o addr show dev wan0 scope global").Stdout);
    }

    [Fact]
    public async Task A_lan_client_gets_a_slaac_address_and_reaches_the_ipv6_internet()
    {
        await lab.WaitFor(() => GlobalAddress(lab.Phone) is not null, Slaac, "the phone to take a SLAAC address from routerd's router advertisements");
        var hello = lab.RunIn(lab.Phone.Namespace, $"socat -T 5 - TCP6:[{Ipv6Isp.InternetHost}]:{Ipv6Isp.HelloPort},connect-timeout=5 </dev/null");
        Assert.True(hello.Ok, $"{hello}\n{Ipv6State()}\n{lab.Describe()}");
        Assert.Equal(Ipv6Isp.HelloText, hello.Stdout.Trim());
    }

    [Fact]
    public async Task Lan_names_have_aaaa_answers()
    {
        await lab.WaitFor(() => GlobalAddress(lab.Phone) is not null, Slaac, "the phone's SLAAC address");
        var router = lab.RunIn(lab.Phone.Namespace, $"busybox nslookup -type=aaaa router.lan {LabAddresses.RouterLan}");
        Assert.True(router.Ok, router.ToString());
        Assert.Matches(@"Address: fd[0-9a-f]{2}:[0-9a-f:]+::1", router.Stdout);
    }

    [Fact]
    public async Task From_the_isp_no_lan_host_and_no_router_port_is_reachable_over_ipv6()
    {
        await lab.WaitFor(() => GlobalAddress(lab.Phone) is not null, Slaac, "the phone's SLAAC address");
        string phone = GlobalAddress(lab.Phone)!;
        // Something listens on the phone: the firewall, not an empty port, must be what refuses.
        lab.StartIn(lab.Phone.Namespace, "exec socat TCP6-LISTEN:8080,reuseaddr,fork SYSTEM:'echo open'", "phone-listener");
        await Task.Delay(300);
        Assert.Equal("open", lab.RunIn(lab.Phone.Namespace, "socat -T 2 - TCP6:[::1]:8080 </dev/null").Stdout.Trim());
        string routerLan = LanPrefixStart() + ":1";
        string routerWan = (await fixture.Api.GetJson("/api/status"))["ipv6"]!["wanAddress"]!.GetValue<string>();
        foreach (var (host, port) in new[] { (phone, 8080), (routerLan, 80), (routerLan, 53), (routerWan, 80), (routerWan, 53) })
        {
            var probe = lab.RunIn(lab.IspNs, $"timeout 4 socat -T 2 - TCP6:[{host}]:{port},connect-timeout=2 </dev/null");
            Assert.False(probe.Ok, $"[{host}]:{port} answered the ISP: {probe}");
        }
        // The path is there (the ISP routes the prefix to the router): only the firewall stops it.
        Assert.False(lab.RunIn(lab.IspNs, $"ping -6 -c 2 -W 1 {phone}").Ok);
        Assert.True(lab.RunIn(lab.IspNs, $"ping -6 -c 2 -W 1 {routerWan}").Ok, "the router's WAN answers ping (rate-limited), RFC 4890");
    }
}
