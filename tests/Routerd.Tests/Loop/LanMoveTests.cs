using Routerd.Core.Lan;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Xunit;

namespace Routerd.Tests.Loop;

/// <summary>A WAN lease inside the LAN's subnet moves the LAN through the rollback machinery: the
/// old address stays on the bridge for the owner's browser while the lease waits; then the move is
/// kept (not rolled back) and the lease applied.</summary>
public class LanMoveTests
{
    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1"], RunDir = "/run/r", StateDir = "/var/lib/r", RollbackSeconds = 60 };
    readonly FakeNetwork network = new("lo", "wan0", "lan1", "br-lan");
    readonly FakeDns dns = new();
    readonly MemoryStore store = new();
    readonly MemoryLease leaseMemory = new();
    readonly ManualClock clock = new();
    readonly FakeCarrier carrier = new();
    readonly Router router;

    static readonly DhcpHookReport Modem = new("bound", "wan0", "192.168.1.50", "255.255.255.0", "192.168.1.1", "192.168.1.1", Lease: "3600");

    public LanMoveTests()
    {
        router = NewRouter();
        router.Start(p => "hash:" + p);
    }

    Router NewRouter() => TestRouter.New(board, store, network, dns: dns, clock: clock, leaseMemory: leaseMemory, hooks: new HookTarget(["routerd"], "/run/r/routerd.sock"), carrier: carrier);

    IEnumerable<string> Addresses(string device) => network.Current!.Addresses.Where(a => a.Device == device).Select(a => a.Address.ToString());

    [Fact]
    public void The_lan_moves_the_old_address_stays_meanwhile_and_the_lease_waits()
    {
        router.OnDhcpEvent(Modem);

        Assert.Equal(["192.168.2.1/24", "192.168.1.1/24"], Addresses("br-lan"));
        Assert.Empty(Addresses("wan0"));
        Assert.Null(network.Current!.DefaultRoute);
        Assert.Contains("dhcp-range=192.168.2.100,192.168.2.249", dns.Config!.Main);
        var pending = router.Pending;
        Assert.Equal("192.168.2.1", pending.NewAddress);
        Assert.Contains("192.168.1.50", pending.Reason);
        var status = Assert.Single(router.Snapshot.Subsystems, s => s.Name == "lan");
        Assert.Equal(LanConflict.MovedCode, status.Code);
        Assert.Contains("moved to 192.168.2.1", status.Message);
        // The devices are made to ask for new addresses now, not at their renewal hours later:
        // the cabled ones lose their link (with dnsmasq already on the new subnet), and are told so.
        var bounce = Assert.Single(carrier.Bounces);
        Assert.Equal(["lan1"], bounce.Ports);
        Assert.Equal(LanReconnect.CarrierDown, bounce.Down);
        Assert.Contains("Cabled devices lost their link for 6 s", status.Message);

        // A renewal meanwhile is held too, and resets no link again.
        router.OnDhcpEvent(Modem with { Event = "renew" });
        Assert.Empty(Addresses("wan0"));
        Assert.Single(carrier.Bounces);

        clock.Advance(TimeSpan.FromSeconds(60));
        router.RollBackIfDue();

        // Kept, not rolled back: stored, the old address gone, the lease in.
        Assert.False(router.Pending.Pending);
        Assert.Equal("192.168.2.1/24", store.Stored!.Lan.Address);
        Assert.Equal(["192.168.2.1/24"], Addresses("br-lan"));
        Assert.Equal(["192.168.1.50/24"], Addresses("wan0"));
        Assert.Equal("192.168.1.1", Routerd.Core.Net.Ipv4Network.Format(network.Current.DefaultRoute!.Gateway));
        Assert.Equal("wan/UP", router.Snapshot.Wan.Code);
        Assert.Contains(router.Snapshot.Subsystems, s => s.Code == LanConflict.MovedCode);
        Assert.Single(carrier.Bounces); // keeping the move resets nothing

        // The explanation stays until the owner gives the LAN another address.
        var toTen = router.Settings with { Lan = router.Settings.Lan with { Address = "10.9.0.1/24", Dhcp = new DhcpSettings { Start = "10.9.0.100", End = "10.9.0.200" } } };
        Assert.True(router.TryChange(toTen).Succeeded);
        Assert.DoesNotContain(router.Snapshot.Subsystems, s => s.Code == LanConflict.MovedCode);
    }

    [Fact]
    public void Confirmed_from_the_new_address_the_lease_comes_in_after_the_grace()
    {
        router.OnDhcpEvent(Modem);
        Assert.True(router.ConfirmPending()!.Succeeded);
        Assert.Equal("192.168.2.1/24", store.Stored!.Lan.Address);
        Assert.Empty(Addresses("wan0"));

        clock.Advance(Router.FallbackGrace);
        router.RollBackIfDue();

        Assert.Equal(["192.168.2.1/24"], Addresses("br-lan"));
        Assert.Equal(["192.168.1.50/24"], Addresses("wan0"));
    }

    [Fact]
    public void A_lease_outside_the_lan_is_applied_as_always()
    {
        router.OnDhcpEvent(Modem with { Ip = "203.0.113.10", Router = "203.0.113.1" });
        Assert.False(router.Pending.Pending);
        Assert.Equal(["203.0.113.10/24"], Addresses("wan0"));
        Assert.Equal(["192.168.1.1/24"], Addresses("br-lan"));
    }

    [Fact]
    public void An_owners_lan_change_into_the_wans_current_subnet_is_refused_and_nothing_changes()
    {
        router.OnDhcpEvent(Modem with { Ip = "203.0.113.10", Router = "203.0.113.1" });
        var before = store.Stored;
        var intoWan = router.Settings with { Lan = router.Settings.Lan with { Address = "203.0.113.1/24", Dhcp = new DhcpSettings { Start = "203.0.113.100", End = "203.0.113.200" } } };

        foreach (var result in new[] { router.TryChange(intoWan), router.TryChangeWithRollback(intoWan).Result })
        {
            var error = Assert.Single(result.Errors);
            Assert.Equal("lan.address", error.Field);
            Assert.Contains("203.0.113.10", error.Message);
        }
        Assert.Same(before, store.Stored);
        Assert.False(router.Pending.Pending);
        Assert.Equal(["192.168.1.1/24"], Addresses("br-lan"));
        Assert.Equal(["203.0.113.10/24"], Addresses("wan0"));

        // Only a changed LAN address is held against the WAN: other changes go through.
        Assert.True(router.TryChange(router.Settings with { Wifi = router.Settings.Wifi with { Ssid = "home" } }).Succeeded);
    }

    [Fact]
    public void During_an_owners_pending_change_a_conflicting_lease_waits_for_it()
    {
        var toTen = router.Settings with { Lan = router.Settings.Lan with { Address = "10.9.0.1/24", Dhcp = new DhcpSettings { Start = "10.9.0.100", End = "10.9.0.200" } } };
        router.TryChangeWithRollback(toTen);
        router.OnDhcpEvent(Modem); // overlaps the old address, still on the bridge
        Assert.Empty(Addresses("wan0"));
        Assert.Null(router.Pending.Reason);

        Assert.True(router.ConfirmPending()!.Succeeded);
        clock.Advance(Router.FallbackGrace);
        router.RollBackIfDue();

        Assert.Equal(["10.9.0.1/24"], Addresses("br-lan"));
        Assert.Equal(["192.168.1.50/24"], Addresses("wan0"));
        Assert.False(router.Pending.Pending);
        Assert.Empty(carrier.Bounces); // an owner's change can roll back: its devices are left alone
    }

    [Fact]
    public void With_a_radio_the_wifi_stations_are_disconnected_too()
    {
        var wifi = new Routerd.Tests.Wifi.FakeWifi();
        var withRadio = board with { WifiDevice = "wlan0" };
        using var r = TestRouter.New(withRadio, new MemoryStore(), new FakeNetwork("lo", "wan0", "lan1", "br-lan", "wlan0"), clock: clock, carrier: carrier, wifi: wifi);
        r.Start(p => "hash:" + p);
        Assert.Equal(0, wifi.Disconnects);

        r.OnDhcpEvent(Modem);

        Assert.Equal(1, wifi.Disconnects);
        Assert.Single(carrier.Bounces);
        Assert.Contains("Wi-Fi devices were disconnected", r.Pending.Reason);
    }

    [Fact]
    public void A_restarted_routerd_does_not_apply_a_remembered_lease_inside_its_lan()
    {
        leaseMemory.Report = Modem with { ReceivedAt = clock.GetUtcNow() };
        using var again = NewRouter();
        again.Start(_ => "x");
        Assert.Null(again.Lease);
        Assert.Empty(Addresses("wan0"));
        again.OnDhcpEvent(Modem);
        Assert.Equal("192.168.2.1", again.Pending.NewAddress);
    }
}
