using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Forwards;

/// <summary>Port forward validation: every refusal names the field it came from.</summary>
public class ForwardRulesTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1", "lan2"] };
    static readonly MacAddress RouterMac = MacAddress.Parse("02:aa:00:00:00:01");
    static readonly SystemFacts Facts = new(new HashSet<string> { "lo", "wan0", "lan1", "lan2", "br-lan" }) { OwnMacs = new HashSet<MacAddress> { RouterMac } };
    static RouterSettings Valid => FirstBoot.Settings(Board, _ => "hash");

    static PortForward Nas(int id = 1) => new() { Id = id, Protocol = "tcp", WanPort = 8443, LanPort = 443, Mac = "02:00:00:00:02:01", Description = "NAS" };

    static IReadOnlyList<FieldError> Errors(params PortForward[] forwards) =>
        DesiredStateBuilder.Validate(Valid with { Forwards = forwards }, Board, Facts);

    [Fact]
    public void A_valid_list_builds_plans_with_ranges_and_defaults()
    {
        var state = DesiredStateBuilder.Build(Valid with
        {
            Forwards = [Nas(), new() { Id = 2, Protocol = "both", WanPort = 27015, WanPortEnd = 27020, Mac = "02-00-00-00-02-02", Enabled = false }],
        }, Board, Facts);
        Assert.Equal(2, state.Forwards.Count);
        var game = state.Forwards[1];
        Assert.Equal(ForwardProtocols.Both, game.Protocols);
        Assert.Equal((27015, 27020, 27015, 27020), (game.WanStart, game.WanEnd, game.LanStart, game.LanEnd));
        Assert.Equal("02:00:00:00:02:02", game.Mac.ToString());
        Assert.False(game.Enabled);
    }

    public static TheoryData<string, PortForward[]> Bad() => new()
    {
        { "forwards[0].wanPort", [Nas() with { WanPort = 0 }] },
        { "forwards[0].wanPort", [Nas() with { WanPort = 65536 }] },
        { "forwards[0].wanPortEnd", [Nas() with { WanPortEnd = 70000 }] },
        { "forwards[0].wanPortEnd", [Nas() with { WanPort = 100, WanPortEnd = 99 }] },
        { "forwards[0].lanPort", [Nas() with { LanPort = -1 }] },
        { "forwards[0].lanPort", [Nas() with { WanPort = 100, WanPortEnd = 110, LanPort = 65530 }] },
        { "forwards[0].protocol", [Nas() with { Protocol = "sctp" }] },
        { "forwards[0].protocol", [Nas() with { Protocol = "TCP" }] },
        { "forwards[0].mac", [Nas() with { Mac = "02:00:00:00:02:zz" }] },
        { "forwards[0].mac", [Nas() with { Mac = "01:00:5e:00:00:01" }] },
        { "forwards[0].mac", [Nas() with { Mac = "00:00:00:00:00:00" }] },
        { "forwards[0].mac", [Nas() with { Mac = RouterMac.ToString() }] },
        { "forwards[0].description", [Nas() with { Description = "nas\nadd rule inet routerd input accept" }] },
        { "forwards[0].description", [Nas() with { Description = new string('x', ForwardRules.MaxDescription + 1) }] },
        { "forwards[0].id", [Nas(0)] },
        { "forwards[1].id", [Nas(1), Nas(1) with { WanPort = 9000 }] },
        // The same port twice, and ranges that overlap, for the same protocol (both counts as each).
        { "forwards[1].wanPort", [Nas(1), Nas(2) with { LanPort = 80 }] },
        { "forwards[1].wanPort", [Nas(1) with { WanPort = 8000, WanPortEnd = 8100, LanPort = null }, Nas(2) with { WanPort = 8100, Protocol = "both" }] },
        { "forwards[1].wanPort", [Nas(1) with { WanPort = 9000, WanPortEnd = 9010, Protocol = "udp" }, Nas(2) with { WanPort = 8990, WanPortEnd = 9000, Protocol = "udp" }] },
        { "forwards[2].wanPort", [Nas(1) with { WanPort = 1, WanPortEnd = 60000, LanPort = null }, Nas(2) with { WanPort = 61000 }, Nas(3) with { WanPort = 500 }] },
        { "forwards[1].wanPort", [Nas(1) with { WanPort = 5000, Enabled = false }, Nas(2) with { WanPort = 4000, WanPortEnd = 6000, LanPort = null }] },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_forwards_are_refused_naming_the_field(string field, PortForward[] forwards)
    {
        var errors = Errors(forwards);
        Assert.Contains(field, errors.Select(e => e.Field));
    }

    [Fact]
    public void The_same_port_for_tcp_and_for_udp_is_two_forwards_not_an_overlap()
    {
        Assert.Empty(Errors(Nas(1) with { WanPort = 53 }, Nas(2) with { WanPort = 53, Protocol = "udp", Mac = "02:00:00:00:02:02" }));
        Assert.Empty(Errors(Nas(1) with { WanPort = 1, WanPortEnd = 65535, LanPort = null }, Nas(2) with { WanPort = 1, WanPortEnd = 65535, LanPort = null, Protocol = "udp" }));
    }

    [Fact]
    public void More_than_a_thousand_forwards_are_refused_as_a_list()
    {
        var many = Enumerable.Range(1, ForwardRules.MaxForwards + 1).Select(i => Nas(i) with { WanPort = i }).ToArray();
        Assert.Equal(["forwards"], Errors(many).Select(e => e.Field));
        Assert.Empty(Errors(many[..ForwardRules.MaxForwards]));
    }

    [Fact]
    public void The_map_has_one_element_per_protocol_and_port_at_the_current_address()
    {
        var plans = DesiredStateBuilder.Build(Valid with
        {
            Forwards = [Nas(), Nas(2) with { Protocol = "both", WanPort = 100, WanPortEnd = 101, LanPort = 200 }, Nas(3) with { WanPort = 22, Enabled = false }],
        }, Board, Facts).Forwards;
        var online = ForwardMap.From(plans, _ => System.Net.IPAddress.Parse("192.168.1.50"));
        Assert.Equal([null, null, ForwardTarget.Disabled], online.Targets.Select(t => t.Reason));
        string nft = online.ToNft();
        Assert.StartsWith("flush map inet routerd forward_v4\n", nft);
        foreach (var element in new[] { "tcp . 8443 : 192.168.1.50 . 443", "tcp . 100 : 192.168.1.50 . 200", "tcp . 101 : 192.168.1.50 . 201", "udp . 100 : 192.168.1.50 . 200", "udp . 101 : 192.168.1.50 . 201" })
            Assert.Contains(element, nft);
        Assert.DoesNotContain(" 22 ", nft);

        var offline = ForwardMap.From(plans, _ => null);
        Assert.Equal([ForwardTarget.NoAddress, ForwardTarget.NoAddress, ForwardTarget.Disabled], offline.Targets.Select(t => t.Reason));
        Assert.Equal("flush map inet routerd forward_v4\n", offline.ToNft());
    }

    [Fact]
    public void An_older_settings_document_gains_an_empty_forward_list()
    {
        var migrated = RouterJson.ReadSettings("""{ "schemaVersion": 2, "lan": { "address": "192.168.1.1/24" } }""");
        Assert.Equal(RouterSettings.CurrentSchemaVersion, migrated.SchemaVersion);
        Assert.Empty(migrated.Forwards);
    }

    /// <summary>An edit checks the edited forward alone against the others' stored plans: random
    /// edits (created, replaced, deleted; overlapping or not, bad or not) give what checking the
    /// whole list gives, plans and errors alike.</summary>
    [Fact]
    public void Checking_one_edited_forward_gives_what_checking_the_list_gives()
    {
        var random = new Random(20);
        var macs = new HashSet<MacAddress> { RouterMac };
        for (int round = 0; round < 400; round++)
        {
            var stored = new List<PortForward>();
            for (int id = 1, port = 1000; id <= random.Next(0, 30); id++, port += random.Next(3, 50))
                stored.Add(new() { Id = id, Protocol = random.Next(3) switch { 0 => "tcp", 1 => "udp", _ => "both" }, WanPort = port, WanPortEnd = port + random.Next(3), Mac = "02:00:00:00:02:01" });
            var others = ForwardRules.Build(stored, macs, [])!;
            var list = stored.ToList();
            int? at;
            int edited;
            var f = new PortForward { Protocol = "tcp", WanPort = random.Next(990, 1400), Mac = random.Next(8) == 0 ? RouterMac.ToString() : "02:00:00:00:02:02" };
            if (list.Count > 0 && random.Next(3) == 0)
            {
                int i = random.Next(list.Count);
                edited = list[i].Id;
                list.RemoveAt(i);
                at = null;
            }
            else if (list.Count > 0 && random.Next(2) == 0)
            {
                int i = random.Next(list.Count);
                edited = list[i].Id;
                list[i] = f with { Id = edited };
                at = i;
            }
            else
            {
                edited = list.Count + 1;
                list.Add(f with { Id = edited });
                at = list.Count - 1;
            }
            List<FieldError> whole = [], one = [];
            var expected = ForwardRules.Build(list, macs, whole, edited);
            var actual = ForwardRules.BuildEdit(list, at, others.Where(p => p.Id != edited).ToList(), macs, one);
            Assert.Equal(expected is null, actual is null);
            if (expected is not null) Assert.Equal(expected, actual!);
            Assert.Equal(whole, one);
        }
    }
}
