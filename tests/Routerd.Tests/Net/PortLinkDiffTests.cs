using Routerd.Core.Net;
using Xunit;

namespace Routerd.Tests.Net;

/// <summary>The VLAN device PPPoE runs in and the WAN MAC clone, through the same diff as the
/// addresses: made once, owned, taken away (or given back) when the plan no longer names them.</summary>
public class PortLinkDiffTests
{
    static readonly MacAddress Clone = MacAddress.Parse("02:11:22:33:44:55");
    /// <summary>wan0's own address in the text kernel (the second link, after lo).</summary>
    static readonly MacAddress Own = MacAddress.Parse("02:00:00:00:00:02");
    static readonly VlanLink Vlan7 = new("wan0.7", "wan0", 7);

    static NetworkPlan Plan(VlanLink? vlan = null, MacAddress? mac = null) =>
        new NetworkPlan("br-lan", ["lan1"], ["wan0", .. vlan is null ? (string[])[] : [vlan.Name], "lan1", "br-lan"],
            [new("br-lan", Ipv4Network.Parse("192.168.1.1/24"))], null)
        {
            Vlans = vlan is null ? [] : [vlan],
            Macs = mac is { } m ? [new LinkMac("wan0", m)] : [],
        };

    readonly TextKernel kernel = new("lo", "wan0", "lan1");
    NetworkOwnership owned = NetworkOwnership.None;

    IReadOnlyList<string> Step(NetworkPlan plan)
    {
        var change = NetworkDiff.Compute(plan, kernel.Observe(), owned);
        kernel.Run(change.Commands);
        // Through the ownership file's text, as the adapter keeps it across a restart.
        owned = NetworkOwnership.Parse(change.Owned.ToText());
        Assert.Empty(change.Missing);
        return change.Commands;
    }

    IEnumerable<string> LinkCommands(NetworkPlan plan) => Step(plan).Where(c => c.Contains("wan0", StringComparison.Ordinal));

    [Fact]
    public void A_vlan_id_makes_the_vlan_device_on_the_port_and_brings_it_up_once()
    {
        Assert.Equal([
            "link add link wan0 name wan0.7 type vlan id 7",
            "link set dev wan0 up",
            "link set dev wan0.7 up",
        ], LinkCommands(Plan(Vlan7)));
        Assert.True(kernel.Has("wan0.7"));
        Assert.Empty(Step(Plan(Vlan7)));
    }

    [Fact]
    public void Removing_the_vlan_or_changing_its_id_removes_the_device_routerd_made()
    {
        Step(Plan(Vlan7));
        var vlan8 = new VlanLink("wan0.8", "wan0", 8);
        Assert.Equal(["link del dev wan0.7", "link add link wan0 name wan0.8 type vlan id 8", "link set dev wan0.8 up"], LinkCommands(Plan(vlan8)));
        Assert.Equal(["link del dev wan0.8"], Step(Plan()));
        Assert.False(kernel.Has("wan0.7") || kernel.Has("wan0.8"));
        Assert.Empty(Step(Plan()));
    }

    [Fact]
    public void A_vlan_device_someone_else_made_is_used_but_never_removed()
    {
        kernel.Run(["link add link wan0 name wan0.7 type vlan id 7", "link set dev wan0.7 up"]);
        Assert.DoesNotContain(Step(Plan(Vlan7)), c => c.Contains("wan0.7", StringComparison.Ordinal));
        Assert.Empty(owned.Vlans);
        Assert.DoesNotContain(Step(Plan()), c => c.Contains("wan0.7", StringComparison.Ordinal));
        Assert.True(kernel.Has("wan0.7"));
    }

    [Fact]
    public void A_vlan_on_a_missing_port_is_reported_missing_not_made()
    {
        var noWan = new TextKernel("lo", "lan1");
        var change = NetworkDiff.Compute(Plan(Vlan7), noWan.Observe(), NetworkOwnership.None);
        Assert.Equal(["wan0", "wan0.7"], change.Missing);
        Assert.DoesNotContain(change.Commands, c => c.Contains("wan0", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cloned_mac_is_set_before_the_vlan_device_is_made_so_both_carry_it()
    {
        var commands = LinkCommands(Plan(Vlan7, Clone)).ToList();
        // wan0 was down (first boot): no need to take it down.
        Assert.Equal(["link set dev wan0 address 02:11:22:33:44:55", "link add link wan0 name wan0.7 type vlan id 7"], commands.Take(2));
        Assert.Equal((Clone, Clone), (kernel.Mac("wan0"), kernel.Mac("wan0.7")));
        Assert.Equal(Own, owned.OriginalMacs["wan0"]);
        Assert.Empty(Step(Plan(Vlan7, Clone)));
    }

    [Fact]
    public void A_port_that_is_up_goes_down_for_a_new_address_and_comes_back_up_with_its_vlan()
    {
        Step(Plan(Vlan7));
        Assert.Equal([
            "link set dev wan0 down",
            "link set dev wan0 address 02:11:22:33:44:55",
            "link set dev wan0 up",
            "link set dev wan0.7 up",
        ], Step(Plan(Vlan7, Clone)));
        Assert.True(kernel.IsUp("wan0") && kernel.IsUp("wan0.7"));
        Assert.Equal((Clone, Clone), (kernel.Mac("wan0"), kernel.Mac("wan0.7")));
    }

    [Fact]
    public void Clearing_the_clone_puts_the_ports_own_address_back_and_forgets_it()
    {
        Step(Plan(mac: Clone));
        // Another clone keeps the port's own address as the one to go back to, not the first clone.
        var other = MacAddress.Parse("00:1a:2b:3c:4d:5e");
        Assert.Equal(["link set dev wan0 down", "link set dev wan0 address 00:1a:2b:3c:4d:5e", "link set dev wan0 up"], Step(Plan(mac: other)));
        Assert.Equal(Own, owned.OriginalMacs["wan0"]);
        Assert.Equal(["link set dev wan0 down", "link set dev wan0 address 02:00:00:00:00:02", "link set dev wan0 up"], Step(Plan()));
        Assert.True(kernel.IsUp("wan0"));
        Assert.Equal(Own, kernel.Mac("wan0"));
        Assert.Empty(owned.OriginalMacs);
        Assert.Empty(Step(Plan()));
    }

    [Fact]
    public void A_port_address_routerd_did_not_change_is_left_alone()
    {
        // An administrator set it, or it already is the clone: nothing to give back later.
        kernel.Run(["link set dev wan0 address 02:11:22:33:44:55"]);   // while wan0 is still down
        Assert.DoesNotContain(Step(Plan(mac: Clone)), c => c.Contains("address", StringComparison.Ordinal));
        Assert.Empty(owned.OriginalMacs);
        Assert.Empty(Step(Plan()));
        Assert.Equal(Clone, kernel.Mac("wan0"));
    }

    [Fact]
    public void The_ownership_record_keeps_vlans_and_original_addresses()
    {
        var o = new NetworkOwnership(new HashSet<InterfaceAddress>(), null)
        {
            Vlans = new HashSet<VlanLink> { Vlan7 },
            OriginalMacs = new Dictionary<string, MacAddress> { ["wan0"] = Own },
        };
        Assert.Contains("vlan wan0.7 link wan0 id 7\nmac wan0 was 02:00:00:00:00:02\n", o.ToText(), StringComparison.Ordinal);
        var back = NetworkOwnership.Parse(o.ToText());
        Assert.Equal(o.ToText(), back.ToText());
        Assert.Empty(NetworkOwnership.Parse("vlan wan0.7 link wan0 id seven\nmac wan0 was nonsense\n").Vlans);
    }
}
