using Routerd.Core.Ipv6;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Routerd.Tests.Loop;
using Routerd.Tests.Wan;
using Xunit;

namespace Routerd.Tests.Ipv6;

/// <summary>IPv6 over PPPoE, the pure part: pppd negotiates IPv6CP, and dhcpcd runs on the PPP
/// interface only while a session is up.</summary>
public class Ipv6PppoePlanTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], RunDir = "/run/r", StateDir = "/var/lib/r" };
    static readonly HookTarget Hooks = new(["/usr/bin/routerd"], "/run/r/routerd.sock");
    static readonly WanSettings Pppoe = new() { Mode = WanModes.Pppoe, Device = "wan0", Pppoe = new() { Username = "u@isp", Password = "hunter2-secret" } };
    static readonly WanLease Session = new(WanInterfaces.PppInterface, new Routerd.Core.Net.Ipv4Network(0xC6336401, 32), 0xC6336401, []);

    [Fact]
    public void Pppd_negotiates_ipv6cp_only_while_ipv6_is_on()
    {
        var on = PppdRenderer.Render(DhcpcdPlanTests.State(Pppoe), Hooks)!.Options;
        Assert.Contains("\n+ipv6\n", on);
        var off = PppdRenderer.Render(DhcpcdPlanTests.State(Pppoe, ipv6: false), Hooks)!.Options;
        Assert.Contains("\nnoipv6\n", off);
        Assert.DoesNotContain("+ipv6", off);
        // Nothing else about the dial changes with it: the IPv6 lines are one block before the hooks.
        int block = off.IndexOf("# IPv6 off", StringComparison.Ordinal), hooks = off.IndexOf("ip-up-script", StringComparison.Ordinal);
        Assert.StartsWith(off[..block], on);
        Assert.EndsWith(off[hooks..], on);
    }

    [Fact]
    public void Dhcpcd_runs_on_the_ppp_interface_only_while_a_session_is_up()
    {
        var state = DhcpcdPlanTests.State(Pppoe);
        Assert.Null(DhcpcdRenderer.Render(state, null, Hooks));
        var plan = DhcpcdRenderer.Render(state, Session, Hooks)!;
        Assert.Equal(WanInterfaces.PppInterface, plan.Arguments[^1]);
        Assert.Contains("allowinterfaces ppp-wan\nnoipv4\n", plan.Config);
        Assert.Matches(@"\ninterface ppp-wan\n(\t#.*\n)*\tipv6rs\n", plan.Config);
        Assert.DoesNotContain("wan0", plan.Config);
        Assert.Null(DhcpcdRenderer.Render(DhcpcdPlanTests.State(Pppoe, ipv6: false), Session, Hooks));
    }
}

/// <summary>IPv6 over PPPoE in the loop: each PPP session up starts a fresh dhcpcd on the PPP
/// interface, each session down stops it and takes the delegated prefix off the LAN (dhcpcd loses
/// the prefix over a reconnect when it keeps running: dhcpcd issues #332, #76).</summary>
public class Ipv6PppoeLoopTests
{
    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1"], RunDir = "/run/r", StateDir = "/var/lib/r" };
    readonly FakeNetwork network = new("lo", "wan0", "lan1", "br-lan");
    readonly FakePpp ppp = new();
    readonly FakeDhcp6Client dhcp6 = new();
    readonly Router router;

    internal static readonly PppHookReport Up = new("up", "ppp-wan", "198.51.100.77", "198.51.100.1", "198.51.100.53", null, "02:00:00:00:00:01", "0x0001");
    internal static readonly PppHookReport Down = new("down", "ppp-wan", "198.51.100.77", "198.51.100.1", null, null);
    static readonly Dhcp6HookReport Bound = new("BOUND6", "ppp-wan", null, null, "2001:db8:100::", "56", "4000", "3000");

    public Ipv6PppoeLoopTests()
    {
        router = TestRouter.New(board, network: network, ppp: ppp, dhcp6: dhcp6);
        router.Start(p => "hash:" + p);
        var r = router.TryChange(router.Settings with
        {
            Wan = new WanSettings { Mode = WanModes.Pppoe, Device = "wan0", Pppoe = new() { Username = "u@isp", Password = "hunter2-secret" } },
        });
        Assert.True(r.Succeeded, string.Join("; ", r.Errors));
        // The first boot's DHCP WAN ran one on wan0; what counts here starts with PPPoE.
        (dhcp6.Starts, dhcp6.Stops) = (0, 0);
    }

    IEnumerable<string> LanV6() => network.Current!.Ipv6Addresses.Select(a => a.Address.ToString());

    [Fact]
    public void Before_the_session_no_dhcpcd_runs_and_ipv6_is_connecting()
    {
        Assert.Null(dhcp6.Plan);
        Assert.Contains("+ipv6", ppp.Plan!.Options);
        Assert.Equal(Ipv6Codes.Connecting, router.Snapshot.Ipv6!.Code);
    }

    [Fact]
    public void A_session_up_starts_dhcpcd_on_the_ppp_interface_and_its_prefix_reaches_the_lan()
    {
        router.OnPppEvent(Up);
        Assert.Equal((1, "ppp-wan"), (dhcp6.Starts, dhcp6.Plan!.Arguments[^1]));
        router.OnDhcp6Event(Bound);
        Assert.Contains("2001:db8:100::1/64", LanV6());
        var s = router.Status("t", default).Ipv6!;
        Assert.Equal((Ipv6Codes.Up, "2001:db8:100::/56"), (s.Code, s.DelegatedPrefix));
        // A report about the Ethernet port under the session is not the WAN's.
        router.OnDhcp6Event(Bound with { Interface = "wan0", Prefix = "2001:db8:300::" });
        Assert.DoesNotContain("2001:db8:300::1/64", LanV6());
    }

    [Fact]
    public void Every_session_up_restarts_dhcpcd_and_a_session_down_takes_the_prefix_away()
    {
        router.OnPppEvent(Up);
        router.OnDhcp6Event(Bound);
        router.OnPppEvent(Down);
        Assert.Null(dhcp6.Plan);
        Assert.Equal(1, dhcp6.Stops);
        Assert.DoesNotContain("2001:db8:100::1/64", LanV6());
        Assert.Single(LanV6()); // the ULA stays
        // Waiting for the next session, not "prefix lost": the WAN's own status says why.
        Assert.Equal(Ipv6Codes.Connecting, router.Snapshot.Ipv6!.Code);
        // The stopped dhcpcd's last words change nothing.
        router.OnDhcp6Event(Bound with { Reason = "REBIND6" });
        Assert.DoesNotContain("2001:db8:100::1/64", LanV6());

        router.OnPppEvent(Up with { SessionId = "0x0002" });
        Assert.Equal(2, dhcp6.Starts);
        Assert.Equal(Ipv6Codes.Connecting, router.Snapshot.Ipv6!.Code);
        router.OnDhcp6Event(Bound);
        Assert.Contains("2001:db8:100::1/64", LanV6());
    }

    [Fact]
    public void Pppd_exiting_without_its_down_hook_stops_dhcpcd_too()
    {
        router.OnPppEvent(Up);
        router.OnDhcp6Event(Bound);
        router.OnPppExit(16); // hung up by the peer (PADT), ip-down never ran
        Assert.Null(dhcp6.Plan);
        Assert.DoesNotContain("2001:db8:100::1/64", LanV6());
        router.OnPppEvent(Up);
        Assert.Equal(2, dhcp6.Starts);
    }

    [Fact]
    public void Switching_ipv6_off_redials_without_ipv6cp_and_stops_dhcpcd()
    {
        router.OnPppEvent(Up);
        int starts = ppp.Starts;
        var r = router.TryChange(router.Settings with { Ipv6 = router.Settings.Ipv6 with { Enabled = false } });
        Assert.True(r.Succeeded, string.Join("; ", r.Errors));
        Assert.Null(dhcp6.Plan);
        Assert.DoesNotContain("+ipv6", ppp.Plan!.Options);
        Assert.Contains("\nnoipv6\n", ppp.Plan!.Options);
        Assert.Equal(starts + 1, ppp.Starts);
    }
    static Routerd.Core.Net.InterfaceAddress6 Slaac(string device, string address) =>
        new(device, Ipv6Prefix.TryParse(address, out var p) ? p : throw new FormatException(address));

    [Fact]
    public void Without_ia_na_the_status_shows_the_ppp_interfaces_slaac_address_as_the_kernel_reports_it()
    {
        router.OnPppEvent(Up);
        router.OnDhcp6Event(Bound); // a prefix, no IA_NA: the usual PPPoE line
        Assert.Null(router.Status("t", default).Ipv6!.WanAddress);
        // What routerd put on the LAN, a ULA on the PPP link and the port under it are not the WAN's address.
        router.Post(new Addresses6Dumped([Slaac("br-lan", "2001:db8:100::1/64"), Slaac("wan0", "2001:db8:77::5/64"), Slaac("ppp-wan", "fd00:1::5/64")]));
        router.Sync();
        Assert.Null(router.Status("t", default).Ipv6!.WanAddress);
        router.Post(new Address6Changed(Slaac("ppp-wan", "2001:db8:1:0:211:22ff:fe33:4455/64"), deleted: false));
        router.Sync();
        Assert.Equal("2001:db8:1:0:211:22ff:fe33:4455", router.Status("t", default).Ipv6!.WanAddress);
        // Gone with the router advertisement's lifetime (or the session): gone from the status.
        router.Post(new Address6Changed(Slaac("ppp-wan", "2001:db8:1:0:211:22ff:fe33:4455/64"), deleted: true));
        router.Sync();
        Assert.Null(router.Status("t", default).Ipv6!.WanAddress);
    }

    [Fact]
    public void An_ia_na_address_is_shown_before_a_slaac_one()
    {
        router.OnPppEvent(Up);
        router.Post(new Address6Changed(Slaac("ppp-wan", "2001:db8:1::99/64"), deleted: false));
        router.OnDhcp6Event(Bound with { Address = "2001:db8:1::100", AddressValid = "4000" });
        Assert.Equal("2001:db8:1::100", router.Status("t", default).Ipv6!.WanAddress);
        // A dump after lost events replaces what was known: the SLAAC address is gone, IA_NA stays.
        router.Post(new Addresses6Dumped([]));
        router.Sync();
        Assert.Equal("2001:db8:1::100", router.Status("t", default).Ipv6!.WanAddress);
    }

}
