using Routerd.Core.Ipv6;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Wifi;

/// <summary>The guest Wi-Fi's IPv6: its own /64 from the delegated (or a static WAN's routed)
/// prefix, the subnet after the LAN's, global only; none, with the status saying why, when the
/// prefix is a single /64; none at all while IPv6 or the guest network is off.</summary>
public class GuestIpv6Tests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], WifiDevice = "wlan0" };
    static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    static readonly GuestWifiSettings On = new() { Enabled = true, Ssid = "visitors", Passphrase = "guest-key-123", Address = "192.168.2.1/24" };

    static DesiredState State(bool guest = true, bool ipv6 = true, Ipv6StaticSettings? fixedWan = null)
    {
        var s = FirstBoot.Settings(Board, _ => "hash");
        s = s with
        {
            Wifi = s.Wifi with { Guest = guest ? On : new() },
            Ipv6 = new() { Enabled = ipv6, Ula = "fd12:3456:789a::/48", Mode = fixedWan is null ? Ipv6Modes.Automatic : Ipv6Modes.Static, Static = fixedWan },
        };
        return DesiredStateBuilder.Build(s, Board, new SystemFacts(null, Now));
    }

    static Dhcp6Lease Delegated(string prefix, string length) =>
        Dhcp6LeaseParser.Parse(new Dhcp6HookReport("BOUND6", "wan0", null, null, prefix, length, "4000", "3000"), Now)!;

    [Fact]
    public void A_delegated_56_gives_guests_the_64_after_the_lans()
    {
        var lease = Delegated("2001:db8:100:ab00::", "56");
        Assert.Equal("2001:db8:100:ab01::1/64", Ipv6Lan.GuestAddress(State(), lease).ToString());
        var status = Ipv6Codes.Decide(State(), lease, "BOUND6", true);
        Assert.Equal(("2001:db8:100:ab01::/64", (string?)null), (status.GuestPrefix, status.GuestMessage));
        // Not one of the LAN's prefixes, and no ULA for guests.
        Assert.DoesNotContain(status.GuestPrefix, status.LanPrefixes);
    }

    [Fact]
    public void A_single_64_stays_the_lans_and_the_status_says_guests_have_no_ipv6()
    {
        var lease = Delegated("2001:db8:100:ab00::", "64");
        Assert.Null(Ipv6Lan.GuestAddress(State(), lease));
        var status = Ipv6Codes.Decide(State(), lease, "BOUND6", true);
        Assert.Null(status.GuestPrefix);
        Assert.Contains("guests on the guest Wi-Fi get no IPv6", status.GuestMessage);
        Assert.Contains("2001:db8:100:ab00::/64", status.LanPrefixes);
    }

    [Fact]
    public void Nothing_without_a_prefix_ipv6_or_the_guest_network()
    {
        var lease = Delegated("2001:db8:100:ab00::", "56");
        Assert.Null(Ipv6Lan.GuestAddress(State(), null));
        Assert.Null(Ipv6Codes.Decide(State(), null, null, false).GuestMessage);
        Assert.Null(Ipv6Lan.GuestAddress(State(ipv6: false), lease));
        Assert.Null(Ipv6Lan.GuestAddress(State(guest: false), lease));
        Assert.Null(Ipv6Codes.Decide(State(guest: false), lease, "BOUND6", true).GuestMessage);
        // A lease of another interface than the egress is not this WAN's prefix.
        Assert.Null(Ipv6Lan.GuestAddress(State(), lease with { Interface = "ppp0" }));
    }

    [Fact]
    public void A_static_wans_routed_prefix_skips_the_wan_links_64_for_guests_too()
    {
        // The WAN link numbered out of the routed /56's second /64: the LAN takes the first, guests the third.
        var fixedWan = new Ipv6StaticSettings { Address = "2001:db8:7:1::2/64", Gateway = "2001:db8:7:1::1", RoutedPrefix = "2001:db8:7::/56" };
        var state = State(fixedWan: fixedWan);
        Assert.Equal("2001:db8:7::1/64", Ipv6Lan.Addresses(state, null)[^1].ToString());
        Assert.Equal("2001:db8:7:2::1/64", Ipv6Lan.GuestAddress(state, null).ToString());
    }
}
