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

    /// <summary>The LAN /64 routerd took from the delegated prefix: its first, "2001:db8:1xx:yy00:".</summary>
    public string LanPrefixStart() => DelegatedPrefix.Split("::")[0] + ":";

    /// <summary>The client's first address in the delegated LAN /64 (SLAAC), or null.</summary>
    public string? GlobalAddress(LabClient client) =>
        // Not while duplicate address detection runs: a tentative address is not used as a source yet.
        Lab.RunIn(client.Namespace, "ip -6 -o addr show dev eth0 scope global -tentative").Stdout.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "inet6").Skip(1).FirstOrDefault())
            .OfType<string>().Select(a => a.Split('/')[0]).FirstOrDefault(a => a.StartsWith(LanPrefixStart(), StringComparison.Ordinal));

    /// <summary>Waits until the status shows a delegated prefix that <paramref name="wanted"/> accepts,
    /// then has the ISP route it to the router (Kea hands prefixes out, it does not route them).</summary>
    public async Task WaitForPrefix(Func<string, bool> wanted)
    {
        await Lab.WaitFor(async () => (await Api.GetJson("/api/status"))["ipv6"] is { } v6 && v6["code"]?.GetValue<string>() == "ipv6/UP"
            && wanted(v6["delegatedPrefix"]!.GetValue<string>()), Ready, "routerd's WAN to get a delegated prefix from Kea");
        DelegatedPrefix = (await Api.GetJson("/api/status"))["ipv6"]!["delegatedPrefix"]!.GetValue<string>();
        Ipv6Isp.RouteTo(Lab, DelegatedPrefix);
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

    string LanPrefixStart() => fixture.LanPrefixStart();

    string? GlobalAddress(LabClient client) => fixture.GlobalAddress(client);

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

    /// <summary>An address dnsmasq leased over DHCPv6 in the delegated LAN /64: its range is ::1000 to ::ffff,
    /// which no SLAAC address (EUI-64 or random) falls into.</summary>
    string? Dhcpv6Address(LabClient client)
    {
        var lan = System.Net.IPAddress.Parse(fixture.DelegatedPrefix.Split('/')[0]).GetAddressBytes();
        foreach (var word in lab.RunIn(client.Namespace, "ip -6 -o addr show dev eth0 scope global -tentative").Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!System.Net.IPAddress.TryParse(word.Split('/')[0], out var a) || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) continue;
            var b = a.GetAddressBytes();
            int host = b[14] << 8 | b[15];
            if (b.AsSpan(0, 8).SequenceEqual(lan.AsSpan(0, 8)) && b.AsSpan(8, 6).IndexOfAnyExcept((byte)0) < 0 && host >= 0x1000)
                return a.ToString();
        }
        return null;
    }

    [Fact]
    public async Task A_lan_client_that_asks_gets_a_dhcpv6_address_and_reaches_the_ipv6_internet_from_it()
    {
        string dir = Path.Combine(lab.Dir, "laptop-dhcpcd");
        Directory.CreateDirectory(dir);
        string conf = Path.Combine(dir, "dhcpcd.conf");
        // No hook scripts (script /bin/true): they would write the machine's resolv.conf.
        File.WriteAllText(conf, "allowinterfaces eth0\nnoipv4\nscript /bin/true\ninterface eth0\n\tipv6rs\n\tia_na 1\n");
        // dhcpcd keeps its control socket in /run/dhcpcd, shared by every namespace: a private mount
        // namespace with empty directories there, as routerd gives its own dhcpcd.
        lab.StartIn(lab.Laptop.Namespace, "exec unshare --mount --propagation private sh -c 'mkdir -p /run/dhcpcd /var/lib/dhcpcd"
            + $" && mount -t tmpfs none /run/dhcpcd && mount -t tmpfs none /var/lib/dhcpcd && exec dhcpcd -6 -B -f {conf} eth0'", "laptop-dhcpcd6");
        string? leased = null;
        await lab.WaitFor(() => (leased = Dhcpv6Address(lab.Laptop)) is not null, Slaac,
            $"the laptop's DHCPv6 address in {fixture.DelegatedPrefix}'s LAN /64 (::1000-::ffff)");
        var hello = lab.RunIn(lab.Laptop.Namespace, $"socat -T 5 - TCP6:[{Ipv6Isp.InternetHost}]:{Ipv6Isp.HelloPort},bind=[{leased}],connect-timeout=5 </dev/null");
        Assert.True(hello.Ok, $"{hello}\n{Ipv6State()}");
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

/// <summary>routerd dies by SIGKILL (a crash, the OOM killer) and its dhcpcd runs on. The next
/// routerd must replace that dhcpcd: left running, it would keep the control socket in routerd's
/// run directory, and every new dhcpcd would only hand its command to it and exit.</summary>
public sealed class Ipv6CrashTests(Ipv6LabFixture fixture) : IClassFixture<Ipv6LabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;

    /// <summary>The pid routerd's supervisor wrote for dhcpcd ("pid starttime").</summary>
    int DhcpcdPid() => int.Parse(File.ReadAllText(Path.Combine(lab.RunDir, "dhcpcd.pid")).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    static string? MountNamespace(int pid)
    {
        try { return new FileInfo($"/proc/{pid}/ns/mnt").LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>One dhcpcd and everything it started: unshare gave them a mount namespace no other process has.</summary>
    static List<int> Instance(int dhcpcd)
    {
        string ns = MountNamespace(dhcpcd) ?? throw new InvalidOperationException($"dhcpcd (pid {dhcpcd}) is not running");
        return Directory.EnumerateDirectories("/proc").Select(Path.GetFileName)
            .Select(n => int.TryParse(n, out int p) ? p : 0).Where(p => p > 0 && MountNamespace(p) == ns).ToList();
    }

    [Fact]
    public async Task After_routerd_is_killed_the_next_one_replaces_the_dhcpcd_it_left_and_gets_the_prefix_again()
    {
        string prefix = fixture.DelegatedPrefix;
        int oldPid = DhcpcdPid();
        // Twice, and only what both see: a hook script dhcpcd runs for a router advertisement comes and goes.
        var first = Instance(oldPid);
        await Task.Delay(500);
        var old = Instance(oldPid).Intersect(first).ToList();
        Assert.Contains(oldPid, old);
        Assert.NotEqual(MountNamespace(Environment.ProcessId), MountNamespace(oldPid));

        lab.KillRouterdAlone();
        await Task.Delay(1000);
        // What makes the case: routerd is gone and its dhcpcd (with its helpers) is not.
        Assert.All(old, p => Assert.True(Lab.Lab.IsAlive(p), $"pid {p} of the old dhcpcd died with routerd"));

        lab.StartRouterd();
        // The new routerd's status knows no prefix until its own dhcpcd reports one.
        await fixture.WaitForPrefix(p => p == prefix);
        Assert.All(old, p => Assert.False(Lab.Lab.IsAlive(p), $"pid {p} of the old dhcpcd still runs"));
        int fresh = DhcpcdPid();
        Assert.NotEqual(oldPid, fresh);
        // It stays: no dhcpcd that hands its command to another and exits, restarted in a loop.
        await Task.Delay(3000);
        Assert.Equal(fresh, DhcpcdPid());
        Assert.True(Lab.Lab.IsAlive(fresh), "the new dhcpcd exited");
        Assert.DoesNotContain("sending commands to", File.ReadAllText(Path.Combine(lab.LogDir, "dhcpcd.log")));
        Assert.Contains(fixture.DelegatedPrefix.Split("::")[0] + "::1/64", lab.RunIn(lab.RouterNs, "ip -6 -o addr show dev br-lan").Stdout);
    }
}

/// <summary>The VIP lane on IPv6: a prioritised phone's IPv6 flows go through the VIP class both
/// ways, from its SLAAC address and from a temporary (privacy) one, while the laptop's go through
/// bulk. Class counters of the shaper's trees tell: wan0 for uploads, br-lan for downloads.</summary>
public sealed class Ipv6VipLaneTests(Ipv6LabFixture fixture) : IClassFixture<Ipv6LabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    const int IperfPort = 5206;
    static readonly TimeSpan Slaac = TimeSpan.FromSeconds(40);

    string? SlaacAddress(LabClient client) => fixture.GlobalAddress(client);

    [Fact]
    public async Task A_vip_phones_ipv6_flows_ride_the_vip_class_both_ways_and_the_laptops_do_not()
    {
        await lab.WaitFor(() => SlaacAddress(lab.Phone) is not null && SlaacAddress(lab.Laptop) is not null, Slaac,
            "phone and laptop to take SLAAC addresses");
        string phone = SlaacAddress(lab.Phone)!, laptop = SlaacAddress(lab.Laptop)!;
        // A temporary address as a phone's privacy extensions make one: random, in the same /64.
        var bytes = System.Net.IPAddress.Parse(fixture.DelegatedPrefix.Split('/')[0]).GetAddressBytes();
        byte[] interfaceId = [0x5c, 0x3a, 0x91, 0xe2, 0x7b, 0x4d, 0x10, 0xf6];
        interfaceId.CopyTo(bytes, 8);
        string temporary = new System.Net.IPAddress(bytes).ToString();
        lab.RunIn(lab.Phone.Namespace, $"ip -6 addr add {temporary}/64 dev eth0 nodad").EnsureOk();
        lab.StartIn(lab.IspNs, $"exec iperf3 -s -B {Ipv6Isp.InternetHost} -p {IperfPort}", "isp-iperf3-v6");
        await fixture.Api.Shape(100_000);
        await fixture.Api.Priority(lab.Phone, true);

        var runs = new List<string>();
        foreach (var (client, source, vip) in new[] { (lab.Phone, phone, true), (lab.Phone, temporary, true), (lab.Laptop, laptop, false) })
            foreach (var (reverse, dev) in new[] { ("", "wan0"), ("-R", "br-lan") })
            {
                var (vip0, bulk0) = await fixture.Api.ClassBytes(dev);
                var run = lab.RunIn(client.Namespace,
                    $"iperf3 -6 -c {Ipv6Isp.InternetHost} -p {IperfPort} -B {source} --connect-timeout 3000 -t 2 -b 20M {reverse}", TimeSpan.FromSeconds(30));
                Assert.True(run.Ok, $"{client.Name} from {source} {reverse}: {run}");
                await Task.Delay(1100); // the last packets leave the queue; the API reads the counters at most once a second
                var (vip1, bulk1) = await fixture.Api.ClassBytes(dev);
                long lane = vip ? vip1 - vip0 : bulk1 - bulk0, other = vip ? bulk1 - bulk0 : vip1 - vip0;
                string what = $"{client.Name} from {source} {(reverse == "" ? "upload" : "download")} on {dev}: VIP +{vip1 - vip0} B, bulk +{bulk1 - bulk0} B";
                runs.Add(what);
                // 20 Mbit/s for 2 s is 5 MB; what else the router sends meanwhile (router advertisements, DNS) is a few kB.
                Assert.True(lane > 3_000_000 && other < 200_000, string.Join('\n', runs));
            }
        // The device's IPv6 addresses are in the lane's set (from the neighbour table), the temporary one too.
        await lab.WaitFor(() => lab.NftSet("vip_v6").Contains(temporary) && lab.NftSet("vip_v6").Contains(phone),
            TimeSpan.FromSeconds(10), "both of the phone's IPv6 addresses in vip_v6");
        Assert.DoesNotContain(laptop, lab.NftSet("vip_v6"));
    }
}

/// <summary>A static IPv4 WAN against the same dual-stack ISP: the owner typed in the IPv4 address,
/// IPv6 still comes from the ISP's router advertisements and DHCPv6-PD. routerd is restarted
/// after the switch, so the dhcpcd that gets the prefix is one a static-WAN routerd started.</summary>
public sealed class Ipv6StaticWanFixture : Ipv6LabFixture
{
    public const string StaticAddress = "203.0.113.60";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var settings = await Api.Settings();
        settings["wan"]!["mode"] = "static";
        settings["wan"]!["static"] = new System.Text.Json.Nodes.JsonObject
        {
            ["address"] = $"{StaticAddress}/{LabAddresses.IspPrefix}", ["gateway"] = LabAddresses.Isp, ["dns"] = new System.Text.Json.Nodes.JsonArray(LabAddresses.Isp),
        };
        using (var put = await Api.Put("/api/settings", settings))
            if (!put.IsSuccessStatusCode) throw new InvalidOperationException($"switching to a static WAN was refused: {await put.Content.ReadAsStringAsync()}");
        Lab.StopRouterd();
        Lab.StartRouterd();
        await WaitForPrefix(_ => true);
    }
}

public sealed class Ipv6StaticWanTests(Ipv6StaticWanFixture fixture) : IClassFixture<Ipv6StaticWanFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    static readonly TimeSpan Slaac = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_static_wan_gets_an_ipv6_address_and_a_56_beside_its_fixed_ipv4_address()
    {
        var status = await fixture.Api.GetJson("/api/status");
        Assert.Equal("static", status["wan"]!["mode"]!.GetValue<string>());
        Assert.Equal($"{Ipv6StaticWanFixture.StaticAddress}/{LabAddresses.IspPrefix}", lab.WanAddress());
        var v6 = status["ipv6"]!;
        Assert.Equal("ipv6/UP", v6["code"]!.GetValue<string>());
        Assert.EndsWith("/56", v6["delegatedPrefix"]!.GetValue<string>());
        Assert.StartsWith("2001:db8:1", v6["wanAddress"]!.GetValue<string>());
        Assert.Contains("scope global", lab.RunIn(lab.RouterNs, "ip -6 -o addr show dev wan0 scope global").Stdout);
        // The default route over IPv6 comes from the ISP's router advertisements, via its link-local address.
        Assert.Contains("default via fe80:", lab.RunIn(lab.RouterNs, "ip -6 route show default").Stdout);
        Assert.Contains(fixture.LanPrefixStart() + ":1/64", lab.RunIn(lab.RouterNs, "ip -6 -o addr show dev br-lan").Stdout);
    }

    [Fact]
    public async Task A_lan_client_gets_a_global_address_and_reaches_the_isps_ipv6_host()
    {
        await lab.WaitFor(() => fixture.GlobalAddress(lab.Phone) is not null, Slaac, "the phone to take a SLAAC address in the delegated prefix");
        var hello = lab.RunIn(lab.Phone.Namespace, $"socat -T 5 - TCP6:[{Ipv6Isp.InternetHost}]:{Ipv6Isp.HelloPort},connect-timeout=5 </dev/null");
        Assert.True(hello.Ok, $"{hello}\n{lab.RunIn(lab.RouterNs, "ip -6 addr; ip -6 route").Stdout}\n{lab.Describe()}");
        Assert.Equal(Ipv6Isp.HelloText, hello.Stdout.Trim());
    }
}
