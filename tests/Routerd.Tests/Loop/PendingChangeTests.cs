using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Lan;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Xunit;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Loop;

/// <summary>Apply with rollback: a new LAN address is applied beside the old one, stored only
/// when confirmed, and undone at the deadline otherwise.</summary>
public class PendingChangeTests
{
    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1"], RunDir = "/run/r", StateDir = "/var/lib/r", RollbackSeconds = 60 };
    readonly FakeNetwork network = new("lo", "wan0", "lan1", "br-lan");
    readonly FakeFirewall firewall = new();
    readonly FakeDns dns = new();
    readonly MemoryStore store = new();
    readonly ManualClock clock = new();
    readonly Router reconciler;

    public PendingChangeTests()
    {
        reconciler = TestRouter.New(board, store, network, firewall, dns: dns, clock: clock, hooks: new HookTarget(["routerd"], "/run/r/routerd.sock"));
        reconciler.Start(p => "hash:" + p);
    }

    RouterSettings NewSubnet() => reconciler.Settings with
    {
        Lan = reconciler.Settings.Lan with { Address = "10.9.0.1/24", Dhcp = new DhcpSettings { Start = "10.9.0.100", End = "10.9.0.200" } },
    };

    IEnumerable<string> BridgeAddresses() => network.Current!.Addresses.Where(a => a.Device == "br-lan").Select(a => a.Address.ToString());

    [Fact]
    public void A_new_lan_address_is_applied_beside_the_old_one_but_not_stored()
    {
        var (result, pending) = reconciler.TryChangeWithRollback(NewSubnet());

        Assert.True(result.Succeeded);
        Assert.Equal(new PendingView(true, 60, "10.9.0.1"), pending);
        Assert.Equal(["10.9.0.1/24", "192.168.1.1/24"], BridgeAddresses());
        Assert.Contains("dhcp-range=10.9.0.100,", dns.Config!.Main);
        Assert.Contains("ip saddr { 10.9.0.0/24, 192.168.1.0/24 } masquerade", firewall.Loaded);
        Assert.Equal("10.9.0.1/24", reconciler.Settings.Lan.Address);
        Assert.Equal("192.168.1.1/24", store.Stored!.Lan.Address);
    }

    [Fact]
    public void Unconfirmed_the_old_settings_come_back_at_the_deadline()
    {
        reconciler.TryChangeWithRollback(NewSubnet());
        clock.Advance(TimeSpan.FromSeconds(59));
        reconciler.RollBackIfDue();
        Assert.Equal(1, reconciler.Pending.SecondsLeft);
        Assert.Equal("10.9.0.1/24", reconciler.Settings.Lan.Address);

        clock.Advance(TimeSpan.FromSeconds(1));
        reconciler.RollBackIfDue();

        Assert.False(reconciler.Pending.Pending);
        Assert.Equal(["192.168.1.1/24"], BridgeAddresses());
        Assert.Contains("dhcp-range=192.168.1.100,", dns.Config!.Main);
        Assert.Equal("192.168.1.1/24", reconciler.Settings.Lan.Address);
        Assert.Equal("192.168.1.1/24", store.Stored!.Lan.Address);
        Assert.Null(reconciler.ConfirmPending());
    }

    [Fact]
    public void The_window_starts_once_the_change_is_applied()
    {
        firewall.Applying = () => clock.Advance(TimeSpan.FromSeconds(4)); // a slow apply
        var (_, pending) = reconciler.TryChangeWithRollback(NewSubnet());
        firewall.Applying = null;
        Assert.Equal(60, pending!.SecondsLeft);
        clock.Advance(TimeSpan.FromSeconds(59));
        reconciler.RollBackIfDue();
        Assert.Equal("10.9.0.1/24", reconciler.Settings.Lan.Address);
        clock.Advance(TimeSpan.FromSeconds(1));
        reconciler.RollBackIfDue();
        Assert.Equal("192.168.1.1/24", reconciler.Settings.Lan.Address);
    }

    [Theory]
    [InlineData(3650)] // NTP sets a Pi's stale boot date right: years forward
    [InlineData(-3650)] // the owner or an ISP's server sets it back
    public void The_rollback_window_is_timed_by_the_monotonic_clock_not_the_date(int days)
    {
        reconciler.TryChangeWithRollback(NewSubnet());
        clock.Advance(TimeSpan.FromSeconds(10));
        clock.StepWall(TimeSpan.FromDays(days));
        reconciler.RollBackIfDue();
        // A step forward does not roll the change back before the owner could confirm it...
        Assert.Equal(new PendingView(true, 50, "10.9.0.1"), reconciler.Pending);
        Assert.Equal(["10.9.0.1/24", "192.168.1.1/24"], BridgeAddresses());

        // ...nor does a step back keep an unconfirmed change (and the old address) for years.
        clock.Advance(TimeSpan.FromSeconds(50));
        reconciler.RollBackIfDue();
        Assert.False(reconciler.Pending.Pending);
        Assert.Equal(["192.168.1.1/24"], BridgeAddresses());
        Assert.Equal("192.168.1.1/24", reconciler.Settings.Lan.Address);
    }

    [Theory]
    [InlineData(3650)]
    [InlineData(-3650)]
    public void A_confirmed_changes_old_address_goes_after_its_grace_whatever_the_date_does(int days)
    {
        reconciler.TryChangeWithRollback(NewSubnet());
        Assert.True(reconciler.ConfirmPending()!.Succeeded);
        clock.StepWall(TimeSpan.FromDays(days));
        reconciler.RollBackIfDue();
        Assert.Equal(["10.9.0.1/24", "192.168.1.1/24"], BridgeAddresses());
        clock.Advance(Router.FallbackGrace);
        reconciler.RollBackIfDue();
        Assert.Equal(["10.9.0.1/24"], BridgeAddresses());
    }

    [Fact]
    public void Confirmed_the_change_is_stored_and_the_old_address_goes()
    {
        reconciler.TryChangeWithRollback(NewSubnet());
        clock.Advance(TimeSpan.FromSeconds(30));

        Assert.True(reconciler.ConfirmPending()!.Succeeded);

        Assert.Equal("10.9.0.1/24", store.Stored!.Lan.Address);
        Assert.False(reconciler.Pending.Pending);
        // The old address stays a moment, so the answer to the confirmation gets out.
        Assert.Equal(["10.9.0.1/24", "192.168.1.1/24"], BridgeAddresses());
        clock.Advance(Router.FallbackGrace);
        reconciler.RollBackIfDue();
        Assert.Equal(["10.9.0.1/24"], BridgeAddresses());
        Assert.Contains("ip saddr 10.9.0.0/24 masquerade", firewall.Loaded);
        clock.Advance(TimeSpan.FromMinutes(5));
        reconciler.RollBackIfDue();
        Assert.Equal("10.9.0.1/24", reconciler.Settings.Lan.Address);
    }

    [Fact]
    public void Other_changes_meanwhile_are_stored_with_the_old_lan_and_survive_a_rollback()
    {
        reconciler.TryChangeWithRollback(NewSubnet());
        var renamed = reconciler.Settings with { Wifi = reconciler.Settings.Wifi with { Ssid = "meanwhile" } };
        var (result, pending) = reconciler.TryChangeWithRollback(renamed);
        Assert.True(result.Succeeded);
        Assert.Null(pending);
        Assert.Equal(("192.168.1.1/24", "meanwhile"), (store.Stored!.Lan.Address, store.Stored.Wifi.Ssid));

        clock.Advance(TimeSpan.FromSeconds(60));
        reconciler.RollBackIfDue();
        Assert.Equal(("192.168.1.1/24", "meanwhile"), (reconciler.Settings.Lan.Address, reconciler.Settings.Wifi.Ssid));
    }

    [Fact]
    public void A_second_lan_change_waits_for_the_first()
    {
        reconciler.TryChangeWithRollback(NewSubnet());
        var again = reconciler.Settings with { Lan = reconciler.Settings.Lan with { Address = "10.9.0.2/24" } };
        var (result, _) = reconciler.TryChangeWithRollback(again);
        Assert.Equal(["lan.address"], result.Errors.Select(e => e.Field));
    }

    [Fact]
    public void An_invalid_lan_change_is_refused_without_a_pending_change()
    {
        var bad = NewSubnet() with { Lan = NewSubnet().Lan with { Dhcp = new DhcpSettings { Start = "192.168.1.100", End = "192.168.1.200" } } };
        var (result, pending) = reconciler.TryChangeWithRollback(bad);
        Assert.Contains("lan.dhcp.start", result.Errors.Select(e => e.Field));
        Assert.Null(pending);
        Assert.False(reconciler.Pending.Pending);
        Assert.Equal(["192.168.1.1/24"], BridgeAddresses());
    }

    [Fact]
    public void Only_a_new_address_or_prefix_is_risky()
    {
        Assert.False(PendingChange.IsRisky(new LanSettings { Address = "192.168.1.1/24" }, new LanSettings { Address = "192.168.1.1/24", Dhcp = new() { Start = "192.168.1.50" } }));
        Assert.True(PendingChange.IsRisky(new LanSettings { Address = "192.168.1.1/24" }, new LanSettings { Address = "192.168.1.1/16" }));
    }

    [Fact]
    public void A_factory_reset_drops_a_pending_change_and_brings_back_the_first_boot_account()
    {
        reconciler.ChangeAdminPassword("hash:new");
        reconciler.TryChangeWithRollback(NewSubnet());
        bool forgot = false;
        var result = reconciler.FactoryReset(FirstBoot.Settings(board, p => "hash:" + p), () => forgot = true);
        Assert.True(result.Succeeded);
        Assert.True(forgot);
        Assert.False(reconciler.Pending.Pending);
        Assert.Equal(("hash:admin", true, "192.168.1.1/24"), (store.Stored!.Admin.PasswordHash, store.Stored.Admin.MustChangePassword, store.Stored.Lan.Address));
        Assert.Equal(["192.168.1.1/24"], BridgeAddresses());
    }

    [Fact]
    public void A_password_change_ends_must_change_and_is_stored()
    {
        Assert.True(reconciler.Settings.Admin.MustChangePassword);
        reconciler.ChangeAdminPassword("hash:new");
        Assert.Equal(("hash:new", false), (store.Stored!.Admin.PasswordHash, store.Stored.Admin.MustChangePassword));
    }
}
