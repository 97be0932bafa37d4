using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Xunit;

namespace Routerd.Tests.Loop;

/// <summary>The rescue state (a damaged store, no good copy): the router runs on the board's
/// defaults with admin/admin, and its WAN stays closed until the owner has set a password.</summary>
public class RescueWanTests
{
    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1"], RunDir = "/run/r", StateDir = "/var/lib/r" };
    readonly FakeNetwork network = new("lo", "wan0", "lan1", "br-lan");
    readonly FakeDhcpClient dhcp = new();
    readonly MemoryLease leaseMemory = new();
    readonly ManualClock clock = new();

    static readonly DhcpHookReport Bound = new("bound", "wan0", "203.0.113.10", "255.255.255.0", "203.0.113.1", "203.0.113.53", Lease: "3600");

    Router Start(bool rescue)
    {
        // A lease remembered from before the restart (the run directory survived).
        leaseMemory.Report = Bound with { ReceivedAt = clock.GetUtcNow() };
        var r = new Router(board, new MemoryStore(), new Appliers(new FakeSysctls(), network, new FakeFirewall(), new FakeTraffic(), new FakeDns(), dhcp),
            new HookTarget(["routerd"], "/run/r/routerd.sock"), leaseMemory, new Routerd.Core.Devices.DeviceRegistry(clock), clock,
            NullLogger<Router>.Instance) { Rescue = rescue };
        r.Start(p => "hash:" + p);
        return r;
    }

    IEnumerable<string> WanAddresses() => network.Current!.Addresses.Where(a => a.Device == "wan0").Select(a => a.Address.ToString());

    [Fact]
    public void In_rescue_the_wan_neither_runs_its_client_nor_takes_a_lease_until_the_password_is_set()
    {
        using var r = Start(rescue: true);

        Assert.Null(dhcp.Plan);
        Assert.Empty(WanAddresses());
        Assert.Null(network.Current!.DefaultRoute);
        Assert.Equal(["192.168.1.1/24"], network.Current.Addresses.Select(a => a.Address.ToString()));
        Assert.Equal(RescueWan.Code, r.Snapshot.Wan.Code);
        Assert.Null(r.Snapshot.Wan.Address);

        // A late report of a DHCP client started before (or by someone else) changes nothing.
        r.OnDhcpEvent(Bound);
        Assert.Empty(WanAddresses());
        Assert.Equal(RescueWan.Code, r.Snapshot.Wan.Code);

        r.ChangeAdminPassword("hash:owner's");

        Assert.NotNull(dhcp.Plan);
        Assert.Equal(["203.0.113.10/24"], WanAddresses());
        Assert.Equal("wan/UP", r.Snapshot.Wan.Code);
    }

    [Fact]
    public void Outside_rescue_a_first_boot_dials_at_once()
    {
        using var r = Start(rescue: false);
        Assert.NotNull(dhcp.Plan);
        Assert.Equal(["203.0.113.10/24"], WanAddresses());
    }
}
