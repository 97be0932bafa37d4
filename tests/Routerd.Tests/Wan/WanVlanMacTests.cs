using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Xunit;

namespace Routerd.Tests.Wan;

/// <summary>PPPoE in a VLAN and the WAN MAC clone (issue 23): what is refused (naming the field),
/// what older documents read as, and what the plans ask of the network and of pppd.</summary>
public class WanVlanMacTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"] };
    static readonly SystemFacts Facts = new(new HashSet<string> { "lo", "wan0", "lan1", "br-lan" });
    static readonly HookTarget Hooks = new(["/usr/bin/routerd"], "/run/routerd/routerd.sock");
    static PppoeSettings Account => new() { Username = "h1234567@isp.example", Password = "secret" };

    static RouterSettings Wan(string mode = WanModes.Pppoe, int? vlan = null, string? mac = null, string device = "wan0") =>
        FirstBoot.Settings(Board, _ => "hash") with
        {
            Wan = new WanSettings
            {
                Mode = mode, Device = device, Mac = mac, Pppoe = Account with { VlanId = vlan },
                Static = mode == WanModes.Static ? new StaticWanSettings { Address = "203.0.113.2/24", Gateway = "203.0.113.1" } : null,
            },
        };

    public static TheoryData<string, RouterSettings> Bad() => new()
    {
        { "wan.pppoe.vlanId", Wan(vlan: 0) },
        { "wan.pppoe.vlanId", Wan(vlan: 4095) },
        { "wan.pppoe.vlanId", Wan(vlan: -7) },
        // A kept PPPoE block is checked while another mode is in use, as its account is.
        { "wan.pppoe.vlanId", Wan(WanModes.Dhcp, vlan: 5000) },
        { "wan.mac", Wan(mac: "02:11:22:33:44") },
        { "wan.mac", Wan(mac: "02:11:22:33:44:5g") },
        { "wan.mac", Wan(mac: "02:11:22:33:44:55\nnic-evil") },
        { "wan.mac", Wan(mac: "00:00:00:00:00:00") },
        { "wan.mac", Wan(mac: "ff:ff:ff:ff:ff:ff") },
        { "wan.mac", Wan(mac: "01:00:5e:00:00:01") },
        { "wan.mac", Wan(WanModes.Dhcp, mac: "33:33:00:00:00:01") },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_values_are_refused_naming_the_field(string field, RouterSettings s)
    {
        var errors = DesiredStateBuilder.Validate(s, Board, Facts);
        Assert.Equal([field], errors.Select(e => e.Field).Distinct());
        Assert.All(errors, e => Assert.DoesNotContain('\n', e.Message));
    }

    [Fact]
    public void A_vlan_device_name_past_15_characters_is_refused_at_the_vlan_id()
    {
        var board = new Board { WanDevice = "enx001122334455", LanPorts = ["lan1"] };
        var facts = new SystemFacts(new HashSet<string> { "enx001122334455", "lan1", "br-lan" });
        var s = Wan(vlan: 7, device: "enx001122334455");
        var errors = DesiredStateBuilder.Validate(s, board, facts);
        Assert.Equal(["wan.pppoe.vlanId"], errors.Select(e => e.Field));
        Assert.Contains("enx001122334455.7", errors[0].Message);
    }

    [Theory]
    [InlineData(1), InlineData(7), InlineData(4094)]
    public void Vlan_ids_1_to_4094_are_taken(int id) =>
        Assert.Equal(id, DesiredStateBuilder.Build(Wan(vlan: id), Board, Facts).Wan.Plan<PppoePlan>()!.VlanId);

    [Theory]
    [InlineData("02:11:22:33:44:55", "02:11:22:33:44:55")]   // locally administered
    [InlineData("00-1A-2B-3C-4D-5E", "00:1a:2b:3c:4d:5e")]   // a burnt-in one, as a label prints it
    public void Unicast_macs_are_taken_in_either_spelling(string typed, string kept) =>
        Assert.Equal(kept, DesiredStateBuilder.Build(Wan(WanModes.Dhcp, mac: typed), Board, Facts).Wan.Mac?.ToString());

    [Fact]
    public void A_schema_7_document_reads_as_untagged_on_the_ports_own_address()
    {
        var s = RouterJson.ReadSettings("""
            { "schemaVersion": 7, "wan": { "mode": "pppoe", "device": "wan0", "pppoe": { "username": "u", "password": "p" } } }
            """);
        Assert.Equal(RouterSettings.CurrentSchemaVersion, s.SchemaVersion);
        Assert.True(SettingsMigrations.Current >= 8); // 7 → 8 ran (later versions may follow)
        Assert.Equal((null, null), (s.Wan.Pppoe!.VlanId, s.Wan.Mac));
    }

    [Fact]
    public void Both_survive_the_store_and_the_api_view()
    {
        var s = Wan(vlan: 7, mac: "02:11:22:33:44:55");
        var back = RouterJson.ReadSettings(RouterJson.WriteSettings(SettingsSecrets.Redact(s)));
        Assert.Equal((7, "02:11:22:33:44:55"), (back.Wan.Pppoe!.VlanId, back.Wan.Mac));
    }

    [Fact]
    public void Pppoe_with_a_vlan_plans_the_vlan_device_and_dials_on_it()
    {
        var state = DesiredStateBuilder.Build(Wan(vlan: 7, mac: "02:11:22:33:44:55"), Board, Facts);
        var plan = NetworkPlanRenderer.Render(state, null);
        Assert.Equal([new VlanLink("wan0.7", "wan0", 7)], plan.Vlans);
        Assert.Equal([new LinkMac("wan0", MacAddress.Parse("02:11:22:33:44:55"))], plan.Macs);
        Assert.Contains("wan0.7", plan.Up);
        Assert.Equal("wan0.7", WanInterfaces.PppoePort(state.Wan));
        var pppd = PppdRenderer.Render(state, Hooks)!;
        Assert.Equal(("wan0.7", "wan0"), (pppd.Device, pppd.VlanPort));
        Assert.Contains("\nnic-wan0.7\n", pppd.Options);
    }

    [Fact]
    public void A_kept_pppoe_block_with_a_vlan_makes_no_vlan_in_another_mode_but_the_clone_stays()
    {
        var state = DesiredStateBuilder.Build(Wan(WanModes.Dhcp, vlan: 7, mac: "02:11:22:33:44:55"), Board, Facts);
        var plan = NetworkPlanRenderer.Render(state, null);
        Assert.Empty(plan.Vlans);
        Assert.Equal(["wan0"], plan.Macs.Select(m => m.Device));
        Assert.Equal("wan0", WanInterfaces.PppoePort(state.Wan));
    }

    [Fact]
    public void Setting_or_changing_the_vlan_or_the_clone_starts_a_new_pppd()
    {
        PppdPlan Pppd(int? vlan, string? mac) => PppdRenderer.Render(DesiredStateBuilder.Build(Wan(vlan: vlan, mac: mac), Board, Facts), Hooks)!;
        var plain = Pppd(null, null);
        Assert.True(plain.SameProcess(Pppd(null, null)));
        Assert.False(plain.SameProcess(Pppd(7, null)));
        Assert.False(Pppd(7, null).SameProcess(Pppd(8, null)));
        Assert.False(Pppd(7, null).SameProcess(Pppd(7, "02:11:22:33:44:55")));
        Assert.False(Pppd(7, "02:11:22:33:44:55").SameProcess(Pppd(7, "02:11:22:33:44:66")));
    }

    [Fact]
    public void A_dhcp_wan_with_a_clone_sends_it_as_its_client_id_and_a_new_clone_restarts_udhcpc()
    {
        IReadOnlyList<string> Args(string? mac) => DhcpClientRenderer.Render(DesiredStateBuilder.Build(Wan(WanModes.Dhcp, mac: mac), Board, Facts), Hooks)!.Arguments;
        Assert.DoesNotContain(Args(null), a => a.StartsWith("0x3d:", StringComparison.Ordinal));
        Assert.Equal(["-x", "0x3d:01025a11223344"], Args("02:5a:11:22:33:44").TakeLast(2));
        Assert.False(Args("02:5a:11:22:33:44").SequenceEqual(Args("02:5a:11:22:33:45")));
    }
}
