using Routerd.Core.Loop;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Loop;

/// <summary>Store, then apply (DESIGN.md): a change is on the disk before it reaches the system;
/// one the store cannot keep reaches nothing; one the system refuses is taken back out of the
/// store; and after either, the next change goes through as usual.</summary>
public class StoreThenApplyTests
{
    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1"], RunDir = "/run/r", StateDir = "/var/lib/r" };
    readonly FakeFirewall firewall = new();
    readonly FakeTraffic traffic = new();
    readonly FakeNetwork network = new("lo", "wan0", "lan1", "br-lan");
    readonly MemoryStore store = new();
    readonly Router router;
    static readonly MacAddress Phone = MacAddress.Parse("02:00:00:00:01:01");

    public StoreThenApplyTests()
    {
        router = TestRouter.New(board, store, network, firewall, traffic);
        router.Start(p => p);
    }

    RouterSettings WithUpload(long kbit) => router.Settings with { Qos = router.Settings.Qos with { UploadKbit = kbit } };

    [Fact]
    public void A_change_is_stored_before_anything_is_applied()
    {
        var before = traffic.Plan;
        bool appliedWhenStored = true;
        store.Saving = () => appliedWhenStored = !ReferenceEquals(before, traffic.Plan);
        Assert.True(router.TryChange(WithUpload(5003)).Succeeded);
        Assert.False(appliedWhenStored);
        Assert.NotSame(before, traffic.Plan);
        Assert.Equal(5003, store.Stored!.Qos.UploadKbit);
    }

    [Fact]
    public void A_change_the_store_cannot_keep_applies_nothing_and_the_next_one_goes_through()
    {
        var (settings, plan, rulesets, saves) = (router.Settings, traffic.Plan, firewall.Loads, store.Saves);
        store.FailWith = StoreException.Full;

        var result = router.TryChange(WithUpload(5003));

        Assert.Equal(StoreException.Full, result.FailureCode);
        Assert.Same(plan, traffic.Plan);
        Assert.Equal(rulesets, firewall.Loads);
        Assert.Same(settings, router.Settings);
        Assert.Equal(saves, store.Saves);

        store.FailWith = null; // room again
        Assert.True(router.TryChange(WithUpload(5003)).Succeeded);
        Assert.Contains("5003", traffic.Plan!.Batch);
        Assert.Equal(5003, store.Stored!.Qos.UploadKbit);
    }

    [Fact]
    public void A_change_the_system_refuses_is_taken_back_out_of_the_store()
    {
        var stored = store.Stored;
        network.Fail = true;

        // A static WAN address is a new address on wan0: the network step runs, and fails.
        var result = router.TryChange(WithUpload(5003) with
        {
            Wan = router.Settings.Wan with { Mode = WanModes.Static, Static = new() { Address = "203.0.113.2/24", Gateway = "203.0.113.1" } },
        });

        Assert.Equal("network/IP_FAILED", result.FailureCode);
        Assert.Equal(RouterJson.WriteSettings(stored!), RouterJson.WriteSettings(store.Stored!));
        Assert.Equal(RouterJson.WriteSettings(stored!), RouterJson.WriteSettings(router.Settings));
        network.Fail = false;
        Assert.True(router.TryChange(WithUpload(5003)).Succeeded);
    }

    [Fact]
    public void A_priority_toggle_the_store_cannot_keep_leaves_the_sets_as_they_were()
    {
        string? sets = firewall.Sets;
        store.FailWith = StoreException.Full;
        Assert.Equal(StoreException.Full, router.SetPriority(Phone, true, null).FailureCode);
        Assert.Equal(sets, firewall.Sets);
        Assert.Empty(router.Settings.Devices);

        store.FailWith = null;
        Assert.True(router.SetPriority(Phone, true, null).Succeeded);
        Assert.Contains("vip_macs { 02:00:00:00:01:01 }", firewall.Sets);
        Assert.True(store.Stored!.Devices.Single().Priority);
    }

    [Fact]
    public void A_password_the_store_cannot_keep_leaves_the_old_one_in_force()
    {
        string hash = router.Settings.Admin.PasswordHash;
        store.FailWith = StoreException.Full;
        Assert.Equal(StoreException.Full, router.ChangeAdminPassword("hash:new").FailureCode);
        Assert.Equal(hash, router.Settings.Admin.PasswordHash);
        Assert.True(router.Settings.Admin.MustChangePassword);
    }
}
