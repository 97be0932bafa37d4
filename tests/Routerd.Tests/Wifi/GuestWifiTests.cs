using Routerd.Core.Lan;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Routerd.Core.Wifi;
using Xunit;

namespace Routerd.Tests.Wifi;

/// <summary>The guest network's settings: refusals name their field under wifi.guest, the plan
/// exists only when it is on (and the router has a radio), its pool is its own subnet, and its key
/// is a secret like the main network's.</summary>
public class GuestWifiTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], WifiDevice = "wlan0" };
    static RouterSettings Valid => FirstBoot.Settings(Board, _ => "hash");
    static readonly GuestWifiSettings On = new() { Enabled = true, Ssid = "visitors", Passphrase = "guest-key-123", Address = "192.168.2.1/24" };

    static RouterSettings With(GuestWifiSettings g) => Valid with { Wifi = Valid.Wifi with { Guest = g } };

    static IReadOnlyList<FieldError> Errors(RouterSettings s, Board? board = null) =>
        DesiredStateBuilder.Validate(s, board ?? Board, new SystemFacts(null));

    static GuestPlan? Plan(RouterSettings s, Board? board = null) => DesiredStateBuilder.Build(s, board ?? Board, new SystemFacts(null)).Wifi!.Guest;

    [Fact]
    public void Off_by_default_and_in_documents_from_before_schema_10()
    {
        Assert.False(Valid.Wifi.Guest.Enabled);
        Assert.Null(Plan(Valid));
        var old = RouterJson.ReadSettings("""{ "schemaVersion": 9, "lan": { "address": "192.168.1.1/24" }, "wifi": { "ssid": "home", "passphrase": "12345678" } }""");
        Assert.True(SettingsMigrations.Current >= 10, "the guest network came with schema 10");
        Assert.Equal(RouterSettings.CurrentSchemaVersion, old.SchemaVersion);
        Assert.False(old.Wifi.Guest.Enabled);
        Assert.Equal("192.168.2.1/24", old.Wifi.Guest.Address);
    }

    [Fact]
    public void On_it_is_planned_with_its_own_interface_subnet_and_pool()
    {
        var plan = Plan(With(On))!;
        Assert.Equal(("wlan-guest", "visitors", "guest-key-123"), (plan.Interface, plan.Ssid, plan.Passphrase));
        Assert.Equal("192.168.2.1/24", plan.Address.ToString());
        Assert.Equal(("192.168.2.2", "192.168.2.254"), (Ipv4Network.Format(plan.Pool.Start), Ipv4Network.Format(plan.Pool.End)));
        // The router at the top of its subnet: the pool is the hosts below it.
        var top = Plan(With(On with { Address = "10.9.8.62/26" }))!;
        Assert.Equal(("10.9.8.1", "10.9.8.61"), (Ipv4Network.Format(top.Pool.Start), Ipv4Network.Format(top.Pool.End)));
        // A board without a radio has no guest network to run, and says nothing against it.
        var noRadio = Board with { WifiDevice = null };
        Assert.Null(Plan(With(On), noRadio));
    }

    public static TheoryData<string, GuestWifiSettings> Bad() => new()
    {
        { "wifi.guest.ssid", On with { Ssid = "" } },
        { "wifi.guest.ssid", On with { Ssid = new string('x', 33) } },
        { "wifi.guest.ssid", On with { Ssid = "guest\nbss=evil" } },
        { "wifi.guest.ssid", On with { Ssid = "routerd" } },          // the main network's name
        { "wifi.guest.passphrase", On with { Passphrase = null } },   // on without a key: never an open network
        { "wifi.guest.passphrase", On with { Passphrase = "short" } },
        { "wifi.guest.passphrase", On with { Passphrase = "guest-key\nwpa=0" } },
        { "wifi.guest.address", On with { Address = "192.168.2.1" } },
        { "wifi.guest.address", On with { Address = "192.168.2.1/33" } },
        { "wifi.guest.address", On with { Address = "10.0.0.1/8" } },
        { "wifi.guest.address", On with { Address = "192.168.2.0/24" } },
        { "wifi.guest.address", On with { Address = "192.168.1.200/24" } },  // the LAN's subnet
        { "wifi.guest.address", On with { Address = "192.168.0.1/16" } },    // around the LAN's
        { "wifi.guest.address", On with { Address = "192.168.2.1/24\ninterface=eth0" } },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_values_are_refused_naming_the_field(string field, GuestWifiSettings g)
    {
        var errors = Errors(With(g));
        Assert.Contains(errors, e => e.Field == field);
        Assert.All(errors, e => Assert.StartsWith("wifi.guest.", e.Field));
    }

    [Fact]
    public void The_guest_key_is_not_the_main_networks()
    {
        var valid = Valid; // a fresh first boot each time: a new random key
        var s = valid with { Wifi = valid.Wifi with { Guest = On with { Passphrase = valid.Wifi.Passphrase } } };
        Assert.Contains(Errors(s), e => e.Field == "wifi.guest.passphrase" && e.Message.Contains("main network"));
    }

    [Fact]
    public void A_WPA3_guest_needs_a_passphrase_not_a_raw_key()
    {
        var s = Valid with { Wifi = Valid.Wifi with { Security = "wpa3", Guest = On with { Passphrase = new string('a', 64) } } };
        Assert.Contains(Errors(s), e => e.Field == "wifi.guest.passphrase");
    }

    [Fact]
    public void Its_subnet_stays_clear_of_a_static_WAN()
    {
        var s = With(On with { Address = "203.0.113.129/25" }) with
        {
            Wan = Valid.Wan with { Mode = "static", Static = new() { Address = "203.0.113.2/24", Gateway = "203.0.113.1" } },
        };
        Assert.Contains(Errors(s), e => e.Field == "wifi.guest.address" && e.Message.Contains("internet connection"));
    }

    [Fact]
    public void Off_its_values_keep_their_form_but_need_no_key_and_may_overlap_the_LAN()
    {
        Assert.Empty(Errors(With(new GuestWifiSettings { Enabled = false, Passphrase = null })));
        Assert.Contains(Errors(With(new GuestWifiSettings { Enabled = false, Ssid = "a\nb" })), e => e.Field == "wifi.guest.ssid");
        Assert.Contains(Errors(With(new GuestWifiSettings { Enabled = false, Address = "192.168.2.1/40" })), e => e.Field == "wifi.guest.address");
        // A LAN moved onto the (unused) default guest subnet stays valid; switching the guest network on then is refused.
        var moved = Valid with { Lan = Valid.Lan with { Address = "192.168.2.1/24", Dhcp = Valid.Lan.Dhcp with { Start = "192.168.2.100", End = "192.168.2.249" } } };
        Assert.Empty(Errors(moved));
        Assert.Contains(Errors(moved with { Wifi = moved.Wifi with { Guest = On } }), e => e.Field == "wifi.guest.address");
    }

    [Fact]
    public void A_WAN_lease_in_a_new_guest_subnet_is_refused_an_unchanged_one_is_not()
    {
        var wan = Ipv4Network.Parse("192.168.2.50/24");
        Assert.Equal("wifi.guest.address", GuestRules.RefuseWanOverlap(On, new GuestWifiSettings(), wan)?.Field);
        Assert.Null(GuestRules.RefuseWanOverlap(On, On, wan));
        Assert.Null(GuestRules.RefuseWanOverlap(On with { Address = "192.168.3.1/24" }, On, wan));
        Assert.Null(GuestRules.RefuseWanOverlap(On, new GuestWifiSettings(), null));
    }

    [Fact]
    public void The_LAN_moving_out_of_a_modems_subnet_skips_the_guest_subnet()
    {
        var lan = new LanSettings();
        var modem = Ipv4Network.Parse("192.168.1.20/24");
        Assert.Equal("192.168.2.1/24", LanConflict.Resolve(lan, modem)!.Address);
        Assert.Equal("192.168.3.1/24", LanConflict.Resolve(lan, modem, Ipv4Network.Parse("192.168.2.1/24"))!.Address);
    }

    [Fact]
    public void The_guest_key_never_leaves_through_the_API_and_an_absent_one_is_kept()
    {
        var stored = With(On);
        var shown = SettingsSecrets.Redact(stored);
        Assert.Null(shown.Wifi.Guest.Passphrase);
        Assert.DoesNotContain("guest-key-123", RouterJson.WriteSettings(shown));
        Assert.DoesNotContain("guest-key-123", stored.Wifi.Guest.ToString());
        var back = SettingsSecrets.KeepStored(shown with { Wifi = shown.Wifi with { Guest = shown.Wifi.Guest with { Ssid = "renamed" } } }, stored);
        Assert.Equal(("renamed", "guest-key-123"), (back.Wifi.Guest.Ssid, back.Wifi.Guest.Passphrase));
        var changed = SettingsSecrets.KeepStored(shown with { Wifi = shown.Wifi with { Guest = shown.Wifi.Guest with { Passphrase = "new-guest-key" } } }, stored);
        Assert.Equal("new-guest-key", changed.Wifi.Guest.Passphrase);
    }
}
