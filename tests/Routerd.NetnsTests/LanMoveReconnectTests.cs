using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

public sealed class LanMoveReconnectLabFixture : LabFixture
{
    public const int RollbackSeconds = 15;
    protected override LabOptions Options => new() { RollbackSeconds = RollbackSeconds, LaptopDhcpcd = true };
}

/// <summary>Issue 18, 9: after the LAN moved out of the modem's subnet (LanMoveTests), its devices
/// follow at once, not when their lease comes up for renewal (half of 12 h). The laptop runs
/// dhcpcd, which asks again when its link comes back, as desktops do; nobody renews anything by
/// hand and nobody confirms: the move is kept at its deadline and the WAN takes the modem's lease.</summary>
public sealed class LanMoveReconnectTests(LanMoveReconnectLabFixture fixture) : IClassFixture<LanMoveReconnectLabFixture>
{
    readonly Lab.Lab lab = fixture.Lab;

    /// <summary>The LAN's lease (routerd's default) that the laptop holds: its renewal is 6 h away.</summary>
    const int LeaseSeconds = 12 * 3600;

    /// <summary>From the modem's lease to the laptop on the internet in the new subnet: the move's
    /// deadline plus room for the link's reset and a DHCP exchange, far below any renewal.</summary>
    static readonly TimeSpan Within = TimeSpan.FromSeconds(LanMoveReconnectLabFixture.RollbackSeconds + 30);

    [Fact]
    public async Task A_device_with_a_long_lease_gets_an_address_in_the_moved_lan_at_once_and_reaches_the_internet()
    {
        var before = lab.LeaseOf(lab.Laptop)!;
        Assert.StartsWith("192.168.1.", before.Address);
        Assert.True(before.Seconds >= LeaseSeconds, $"the laptop's lease is long: {before}");
        Assert.StartsWith("203.0.113.", lab.WanIp());

        var started = DateTime.UtcNow;
        await lab.IspBecomesAModem();

        await lab.WaitFor(() => lab.LeaseOf(lab.Laptop)?.Address.StartsWith("192.168.2.", StringComparison.Ordinal) == true, Within,
            "the laptop (dhcpcd, 12 h lease) to get an address in 192.168.2.0/24");
        var moved = lab.LeaseOf(lab.Laptop)!;
        Assert.Equal("192.168.2.1", moved.Router);
        Assert.True(moved.Seconds >= LeaseSeconds, $"a fresh long lease, not a short one that forced a renewal: {moved}");
        var left = Within - (DateTime.UtcNow - started);
        await lab.WaitFor(() => lab.FetchHello(lab.Laptop).Ok, left > TimeSpan.Zero ? left : TimeSpan.Zero,
            "the laptop to reach the internet host through the modem");
        Assert.StartsWith("192.168.1.5", lab.WanIp());
    }
}
