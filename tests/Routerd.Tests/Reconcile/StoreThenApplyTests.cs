using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Reconcile;
using Routerd.Core.Rendering;
using Routerd.Core.Settings;
using Routerd.Core.Status;
using Xunit;

namespace Routerd.Tests.Reconcile;

/// <summary>Issue 18 items 4 and 9 (second half), written down before the reconciler becomes an
/// event loop (the other branch): skipped until then, so they run against the new loop, not the
/// lock-guarded reconciler that is being replaced. Today the reconciler applies first and stores
/// after (so a failed store leaves the new config running) and takes a WAN lease inside the LAN
/// subnet as it is.</summary>
public class StoreThenApplyTests
{
    const string AfterTheLoop = "issue 18 item 4/9b: in the reconciler, after the event-loop merge";

    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1", "lan2"], RunDir = "/run/r", StateDir = "/var/lib/r" };
    readonly FakeTraffic traffic = new();
    readonly FlakyStore store = new();
    readonly Reconciler reconciler;

    public StoreThenApplyTests()
    {
        reconciler = new Reconciler(board, store, new Appliers(new FakeSysctls(), new FakeNetwork("lo", "wan0", "lan1", "lan2", "br-lan"),
                new FakeFirewall(), traffic, new FakeDns(), new FakeDhcpClient()),
            new HookTarget(["/usr/bin/routerd"], "/run/r/routerd.sock"), new MemoryLease(), new Routerd.Core.Devices.DeviceRegistry(new ManualClock()),
            new ManualClock(), NullLogger<Reconciler>.Instance);
        reconciler.Start(p => "hash:" + p);
    }

    sealed class FlakyStore : ISettingsStore
    {
        public RouterSettings? Stored;
        public Exception? Fail;
        public RouterSettings? Load() => Stored;
        public void Save(RouterSettings settings)
        {
            if (Fail is { } e) throw e;
            Stored = settings;
        }
        public void Dispose() { }
    }

    [Fact(Skip = AfterTheLoop)]
    public void A_failed_store_applies_nothing_names_a_full_disk_and_the_next_change_works()
    {
        var before = traffic.Plan;
        store.Fail = new IOException("No space left on device");
        var result = reconciler.TryChange(reconciler.Settings with { Qos = new QosSettings { UploadKbit = 5003 } });
        Assert.False(result.Succeeded);
        Assert.Equal("store/DISK_FULL", result.FailureCode);
        Assert.Equal(before, traffic.Plan); // nothing applied
        Assert.Null(reconciler.Settings.Qos.UploadKbit);

        store.Fail = null; // space freed
        Assert.True(reconciler.TryChange(reconciler.Settings with { Qos = new QosSettings { UploadKbit = 5003 } }).Succeeded);
        Assert.Equal(5003, store.Stored!.Qos.UploadKbit);
    }

    [Fact(Skip = AfterTheLoop)]
    public void A_wan_lease_inside_the_lan_subnet_moves_the_lan_to_the_next_free_private_24()
    {
        reconciler.OnDhcpEvent(new DhcpHookReport("bound", "wan0", "192.168.1.50", "255.255.255.0", "192.168.1.254", "192.168.1.254", Lease: "3600"));
        Assert.Equal("192.168.2.1/24", reconciler.State.Lan.Address.ToString());
        Assert.NotNull(reconciler.Pending.NewAddress); // the rollback machinery keeps the owner's browser attached
        Assert.Equal("192.168.1.50/24", reconciler.Lease!.Address.ToString());
    }
}
