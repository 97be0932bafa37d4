using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Xunit;
using Routerd.Core.Qos;
using Routerd.Core.Wan;

namespace Routerd.Tests.Loop;

public class RouterTests
{
    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1", "lan2"], RunDir = "/run/r", StateDir = "/var/lib/r" };
    readonly FakeFirewall firewall = new();
    readonly FakeNetwork network = new("lo", "wan0", "lan1", "lan2", "br-lan");
    readonly FakeDns dns = new();
    readonly FakeDhcpClient dhcp = new();
    readonly MemoryStore store = new();
    readonly MemoryLease leaseMemory = new();
    readonly FakeTraffic traffic = new();
    readonly Routerd.Core.Devices.DeviceRegistry registry;
    readonly ManualClock clock = new();
    readonly Router reconciler;

    public RouterTests()
    {
        registry = new Routerd.Core.Devices.DeviceRegistry(clock);
        reconciler = NewReconciler();
        reconciler.Start(p => "hash:" + p);
    }

    Router NewReconciler() => TestRouter.New(board, store, network, firewall, traffic, dns, dhcp, registry: registry, clock: clock, leaseMemory: leaseMemory);

    static readonly DhcpHookReport Bound = new("bound", "wan0", "203.0.113.10", "255.255.255.0", "203.0.113.1", "203.0.113.53", Lease: "3600");
    static readonly DhcpHookReport Deconfig = new("deconfig", "wan0", null, null, null, null);

    [Fact]
    public void A_restarted_routerd_keeps_the_wan_lease_and_changes_nothing()
    {
        reconciler.OnDhcpEvent(Bound);
        int changes = network.Changes, loads = firewall.Loads, restarts = dns.Restarts;
        var again = NewReconciler();
        again.Start(_ => throw new InvalidOperationException("not first boot: no hashing"));
        Assert.Equal("203.0.113.10/24", again.Lease!.Address.ToString());
        Assert.Equal((changes, loads, restarts), (network.Changes, firewall.Loads, dns.Restarts));
    }

    [Fact]
    public void A_failing_step_at_start_does_not_keep_the_others_from_running()
    {
        var broken = new FakeNetwork("lo") { Fail = true };
        var freshDns = new FakeDns();
        var r = TestRouter.New(board, network: broken, dns: freshDns, registry: registry, clock: clock);
        r.Start(p => p);
        Assert.Equal(1, freshDns.Restarts);
        Assert.Contains("network/IP_FAILED", r.Status("t", default).Subsystems.Select(s => s.Code));
    }

    sealed class BrokenNetwork : INetworkConfigurator
    {
        public IReadOnlyList<string> Apply(Routerd.Core.Net.NetworkPlan plan) => throw new NotSupportedException("an adapter bug");
        public IReadOnlyDictionary<string, Routerd.Core.Net.MacAddress?> Interfaces() =>
            new[] { "lo", "wan0", "lan1", "lan2" }.ToDictionary(n => n, _ => (Routerd.Core.Net.MacAddress?)null);
    }

    [Fact]
    public async Task The_first_apply_counts_as_done_even_when_it_throws_something_unexpected()
    {
        using var r = TestRouter.New(board, network: new BrokenNetwork(), clock: clock);
        r.Load(p => p);
        var first = r.ApplyInBackground();
        // Before, Router.Applied never completed: the web listener and the watchers waited for ever.
        await r.Applied.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<NotSupportedException>(() => first.WaitAsync(TimeSpan.FromSeconds(10))); // its sender still learns it failed
    }

    [Fact]
    public void First_boot_seeds_settings_and_applies_everything()
    {
        Assert.Equal("hash:admin", store.Stored!.Admin.PasswordHash);
        Assert.True(store.Stored.Admin.MustChangePassword);
        Assert.Contains("table inet routerd", firewall.Loaded);
        Assert.Equal(1, dns.Restarts);
        Assert.Contains("wan0", dhcp.Plan!.Arguments);
        Assert.Equal("wan/CONNECTING", reconciler.Status("t", default).Wan.Code);
    }

    [Fact]
    public void Applying_the_same_settings_again_changes_nothing()
    {
        var result = reconciler.TryChange(reconciler.Settings);
        Assert.True(result.Succeeded);
        Assert.Equal(1, firewall.Loads);
        Assert.Equal(1, network.Changes);
        Assert.Equal(1, dns.Restarts);
        Assert.Equal(0, dns.Reloads);
    }

    [Fact]
    public void A_refused_change_applies_and_stores_nothing()
    {
        int saves = store.Saves;
        var before = (firewall.Loaded, network.Current, dns.Config);
        var bad = reconciler.Settings with { Lan = reconciler.Settings.Lan with { Dhcp = reconciler.Settings.Lan.Dhcp with { Start = "10.0.0.1" } } };
        var result = reconciler.TryChange(bad);
        Assert.Contains(result.Errors, e => e.Field == "lan.dhcp.start");
        Assert.Equal(saves, store.Saves);
        Assert.Equal(before, (firewall.Loaded, network.Current, dns.Config));
        Assert.Equal("192.168.1.100", reconciler.Settings.Lan.Dhcp.Start);
    }

    [Fact]
    public void A_ruleset_nft_refuses_is_not_applied()
    {
        firewall.RefuseWith = "syntax error";
        var next = reconciler.Settings with { Lan = reconciler.Settings.Lan with { Address = "192.168.5.1/24", Dhcp = new DhcpSettings { Start = "192.168.5.10", End = "192.168.5.20" } } };
        var result = reconciler.TryChange(next);
        Assert.Equal("firewall/INVALID_RULESET", result.FailureCode);
        Assert.Equal(1, network.Changes);
        Assert.Equal("192.168.1.1/24", store.Stored!.Lan.Address);
    }

    [Fact]
    public void A_failing_apply_puts_the_previous_configuration_back()
    {
        // A change the network slice must apply (only slices whose rendering changed run).
        var next = reconciler.Settings with { Lan = reconciler.Settings.Lan with { Address = "192.168.5.1/24", Dhcp = new DhcpSettings { Start = "192.168.5.10", End = "192.168.5.20" } } };
        network.Fail = true;
        var result = reconciler.TryChange(next);
        Assert.Equal("network/IP_FAILED", result.FailureCode);
        Assert.Equal("192.168.1.249", store.Stored!.Lan.Dhcp.End);
        Assert.Equal("192.168.1.249", reconciler.Settings.Lan.Dhcp.End);
        Assert.Equal("192.168.1.1/24", reconciler.Settings.Lan.Address);
        Assert.Contains("network/IP_FAILED", reconciler.Status("t", default).Subsystems.Select(s => s.Code));
    }

    [Fact]
    public void Changing_only_static_leases_reloads_dnsmasq_without_restart()
    {
        var next = reconciler.Settings with { Lan = reconciler.Settings.Lan with { StaticLeases = [new StaticLease { Mac = "02:00:00:00:01:01", Address = "192.168.1.10" }] } };
        Assert.True(reconciler.TryChange(next).Succeeded);
        Assert.Equal(1, dns.Restarts);
        Assert.Equal(1, dns.Reloads);
    }

    [Fact]
    public void A_dhcp_lease_configures_the_wan_and_upstream_dns()
    {
        reconciler.OnDhcpEvent(Bound);
        Assert.Contains("addr replace 203.0.113.10/24 dev wan0", network.Current!.ToIpBatch());
        Assert.Contains("route replace default via 203.0.113.1 dev wan0", network.Current.ToIpBatch());
        Assert.Contains("server=203.0.113.53", dns.Config!.Servers);
        Assert.Equal(1, dns.Restarts);
        var status = reconciler.Status("t", default).Wan;
        Assert.Equal(("wan/UP", "203.0.113.10/24"), (status.Code, status.Address));

        // udhcpc's deconfig at its own start does not tear down a lease that still runs...
        reconciler.OnDhcpEvent(Deconfig);
        Assert.Contains("wan0", network.Current.Addresses.Select(a => a.Device));
        // ...but a refusal from the server does, and so does the lease running out.
        reconciler.OnDhcpEvent(new DhcpHookReport("nak", "wan0", null, null, null, null));
        reconciler.OnDhcpEvent(Deconfig);
        Assert.DoesNotContain("wan0", network.Current.Addresses.Select(a => a.Device));
        Assert.Equal("wan/CONNECTING", reconciler.Status("t", default).Wan.Code);

        reconciler.OnDhcpEvent(Bound);
        clock.Advance(TimeSpan.FromMinutes(61));
        reconciler.OnDhcpEvent(Deconfig);
        Assert.DoesNotContain("wan0", network.Current.Addresses.Select(a => a.Device));
    }

    [Theory]
    [InlineData(3650)] // NTP sets a Pi's stale boot date right: years forward
    [InlineData(-3650)] // the owner or an ISP's server sets it back
    public void Whether_a_wan_lease_still_runs_is_timed_by_the_monotonic_clock_not_the_date(int days)
    {
        reconciler.OnDhcpEvent(Bound); // an hour's lease
        clock.StepWall(TimeSpan.FromDays(days));
        clock.Advance(TimeSpan.FromMinutes(59));
        // udhcpc restarting (its deconfig) keeps a lease that runs another minute, whatever the date says...
        reconciler.OnDhcpEvent(Deconfig);
        Assert.Contains("wan0", network.Current!.Addresses.Select(a => a.Device));
        // ...and a step back does not keep one that ran out.
        clock.Advance(TimeSpan.FromMinutes(2));
        reconciler.OnDhcpEvent(Deconfig);
        Assert.DoesNotContain("wan0", network.Current.Addresses.Select(a => a.Device));
    }

    [Fact]
    public void Secrets_sent_back_empty_keep_the_stored_ones_and_admin_cannot_be_changed_through_settings()
    {
        var withPppoe = reconciler.Settings with { Wan = new WanSettings { Mode = "pppoe", Device = "wan0", Pppoe = new PppoeSettings { Username = "u", Password = "pw" } } };
        Assert.True(reconciler.TryChange(withPppoe).Succeeded);
        var resent = SettingsSecrets.Redact(reconciler.Settings) with { Admin = new AdminSettings { PasswordHash = "evil", MustChangePassword = false } };
        Assert.True(reconciler.TryChange(resent).Succeeded);
        Assert.Equal("pw", store.Stored!.Wan.Pppoe!.Password);
        Assert.Equal("hash:admin", store.Stored.Admin.PasswordHash);
        Assert.True(store.Stored.Admin.MustChangePassword);
        Assert.Null(dhcp.Plan);
    }
}
