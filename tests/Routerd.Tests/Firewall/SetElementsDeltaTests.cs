using System.Net;
using Routerd.Core.Firewall;
using Routerd.Core.Net;
using Xunit;

namespace Routerd.Tests.Firewall;

/// <summary>A change of set elements is loaded as what left and what came, not the whole content
/// again (adding one forward beside 10,000 ports took ~350 ms as a whole map).</summary>
public sealed class SetElementsDeltaTests
{
    static readonly MacAddress Phone = MacAddress.Parse("02:00:00:00:02:01"), Laptop = MacAddress.Parse("02:00:00:00:02:02");

    static string Vip(params (MacAddress Mac, string Ip)[] devices) =>
        VipSets.From(devices.Select(d => d.Mac).ToList(), devices.Select(d => IPAddress.Parse(d.Ip))).ToNft();

    static string Map(params (int Port, string To)[] forwards) => new ForwardMap(forwards.Select(f => new ForwardTarget(
        new ForwardPlan(f.Port, ForwardProtocols.Tcp, f.Port, f.Port, Phone, f.Port, true, null),
        IPAddress.Parse(f.To), null)).ToList()).ToNft();

    [Fact]
    public void The_same_content_needs_nothing() =>
        Assert.Equal("", SetElementsDelta.Between(Vip((Phone, "192.168.1.10")), Vip((Phone, "192.168.1.10"))));

    [Fact]
    public void A_device_more_is_its_elements_added_and_nothing_else()
    {
        string from = Vip((Phone, "192.168.1.10")), to = Vip((Phone, "192.168.1.10"), (Laptop, "192.168.1.11"));
        Assert.Equal(
            "add element inet routerd vip_macs { 02:00:00:00:02:02 }\n" +
            "add element inet routerd vip_v4 { 192.168.1.11 }\n",
            SetElementsDelta.Between(from, to));
    }

    [Fact]
    public void The_last_device_leaving_empties_the_sets_by_deleting_its_elements()
    {
        Assert.Equal(
            "delete element inet routerd vip_macs { 02:00:00:00:02:01 }\n" +
            "delete element inet routerd vip_v6 { fd00::10 }\n",
            SetElementsDelta.Between(Vip((Phone, "fd00::10")), Vip()));
    }

    [Fact]
    public void One_forward_more_beside_many_is_one_element()
    {
        var many = Enumerable.Range(1000, 500).Select(p => (p, "192.168.1.10")).ToArray();
        Assert.Equal("add element inet routerd forward_v4 { tcp . 2000 : 192.168.1.20 . 2000 }\n",
            SetElementsDelta.Between(Map(many), Map([.. many, (2000, "192.168.1.20")])));
    }

    [Fact]
    public void A_map_key_that_leads_elsewhere_is_deleted_by_its_key_and_added_again_in_one_script()
    {
        Assert.Equal(
            "delete element inet routerd forward_v4 { tcp . 80 }\n" +
            "add element inet routerd forward_v4 { tcp . 80 : 192.168.1.11 . 80 }\n",
            SetElementsDelta.Between(Map((80, "192.168.1.10"), (443, "192.168.1.10")), Map((80, "192.168.1.11"), (443, "192.168.1.10"))));
    }

    [Theory]
    [InlineData("flush set inet routerd vip_v4\n", "flush set inet routerd vip_v4\nflush set inet routerd pause_v4\n")] // a set more
    [InlineData("flush set inet routerd vip_v4\nflush set inet routerd vip_v4\n", "flush set inet routerd vip_v4\n")] // twice the same set
    [InlineData("add element inet routerd vip_v4 { 192.168.1.10 }\n", "flush set inet routerd vip_v4\n")] // elements before a flush
    [InlineData("flush set inet routerd vip_v4\nadd element inet routerd vip_v6 { fd00::1 }\n", "flush set inet routerd vip_v4\n")] // elements for another set
    [InlineData("flush set inet routerd vip_v4\ntable inet routerd {\n", "flush set inet routerd vip_v4\n")] // not a sets script
    public void A_script_of_another_shape_gives_no_delta_and_is_loaded_whole(string from, string to) =>
        Assert.Null(SetElementsDelta.Between(from, to));

    /// <summary>Only the stretch between the common beginning and end is compared: random edits
    /// (anywhere, several at once, elements written twice) loaded as the delta onto the old
    /// content must give exactly the new content, as a set.</summary>
    [Fact]
    public void A_delta_of_random_edits_turns_the_old_content_into_the_new()
    {
        var random = new Random(20);
        string Script(List<string> elements) => "flush set inet routerd vip_v4\n" +
            (elements.Count > 0 ? $"add element inet routerd vip_v4 {{ {string.Join(", ", elements)} }}\n" : "");
        for (int round = 0; round < 500; round++)
        {
            var old = Enumerable.Range(0, random.Next(0, 40)).Select(_ => $"10.0.{random.Next(3)}.{random.Next(60)}").ToList();
            var next = old.ToList();
            for (int edits = random.Next(1, 4); edits > 0; edits--)
            {
                int at = random.Next(next.Count + 1);
                switch (random.Next(3))
                {
                    case 0: next.Insert(at, $"10.0.{random.Next(3)}.{random.Next(60)}"); break;
                    case 1 when at < next.Count: next.RemoveAt(at); break;
                    default: if (at < next.Count) next[at] = $"10.0.{random.Next(3)}.{random.Next(60)}"; break;
                }
            }
            string delta = SetElementsDelta.Between(Script(old), Script(next))!;
            var content = old.ToHashSet();
            foreach (var line in delta.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var elements = line[(line.IndexOf('{') + 2)..^2].Split(", ");
                if (line.StartsWith("delete ")) content.ExceptWith(elements);
                else content.UnionWith(elements);
            }
            Assert.True(content.SetEquals(next), $"{string.Join(", ", old)} → {string.Join(", ", next)}: {delta}");
        }
    }

    /// <summary>Only the elements that change are named, however long the content: one more at
    /// the front, in the middle, at the end; one gone; a container whose content is the same is left out.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(250)]
    [InlineData(500)]
    public void One_element_more_anywhere_among_many_is_that_element(int at)
    {
        var many = Enumerable.Range(1000, 500).Select(p => (p, "192.168.1.10")).ToList();
        var more = many.ToList();
        more.Insert(at, (3000, "192.168.1.20"));
        Assert.Equal("add element inet routerd forward_v4 { tcp . 3000 : 192.168.1.20 . 3000 }\n", SetElementsDelta.Between(Map([.. many]), Map([.. more])));
        Assert.Equal("delete element inet routerd forward_v4 { tcp . 3000 }\n", SetElementsDelta.Between(Map([.. more]), Map([.. many])));
        string vip = Vip((Phone, "192.168.1.10"));
        Assert.Equal("add element inet routerd forward_v4 { tcp . 3000 : 192.168.1.20 . 3000 }\n", SetElementsDelta.Between(vip + Map([.. many]), vip + Map([.. more])));
    }

    // The contents kept in memory (SetElements): the forward map in groups, one per forward.

    static ForwardMap Forwards(params (int Port, string To)[] forwards) => new(forwards.Select(f => new ForwardTarget(
        new ForwardPlan(f.Port, ForwardProtocols.Tcp, f.Port, f.Port + 9, Phone, f.Port, true, null), IPAddress.Parse(f.To), null)).ToList());

    static SetElements Kept(ForwardMap map) => SetElements.FromScript(Vip((Phone, "192.168.1.10"))).Concat(new([map.Elements()]));

    [Fact]
    public void Kept_contents_give_the_script_the_renderers_write()
    {
        var map = Forwards((1000, "192.168.1.10"), (2000, "192.168.1.20"));
        Assert.Equal(Vip((Phone, "192.168.1.10")) + map.ToNft(), Kept(map).ToNft());
        Assert.Equal("", SetElementsDelta.Between(Kept(map), Kept(Forwards((1000, "192.168.1.10"), (2000, "192.168.1.20")))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(500)]
    [InlineData(1000)]
    public void One_forward_more_among_a_thousand_writes_out_that_forward_alone(int at)
    {
        var many = Enumerable.Range(0, 1000).Select(i => (10000 + 10 * i, "192.168.1.10")).ToList();
        var more = many.ToList();
        more.Insert(at, (40000, "192.168.1.20"));
        var (before, after) = (Kept(Forwards([.. many])), Kept(Forwards([.. more])));
        Assert.Equal("add element inet routerd forward_v4 { " + string.Join(", ", Enumerable.Range(40000, 10).Select(p => $"tcp . {p} : 192.168.1.20 . {p}")) + " }\n",
            SetElementsDelta.Between(before, after));
        // Counted: every group written out is one forward's elements; only the new one was.
        int written = 0;
        var counted = new SetElements([new("map inet routerd forward_v4", Forwards([.. more]).Targets.Select(t => ElementGroup.Of(t, x => { written++; return $"tcp . {x.Forward.WanStart} : {x.Address} . {x.Forward.LanStart}"; })).ToList())]);
        var was = new SetElements([new("map inet routerd forward_v4", Forwards([.. many]).Targets.Select(t => ElementGroup.Of(t, x => $"tcp . {x.Forward.WanStart} : {x.Address} . {x.Forward.LanStart}")).ToList())]);
        Assert.Equal("add element inet routerd forward_v4 { tcp . 40000 : 192.168.1.20 . 40000 }\n", SetElementsDelta.Between(was, counted));
        Assert.Equal(1, written);
    }

    [Fact]
    public void A_forward_whose_device_moved_is_its_keys_deleted_and_added_again()
    {
        var (before, after) = (Kept(Forwards((1000, "192.168.1.10"), (2000, "192.168.1.10"))), Kept(Forwards((1000, "192.168.1.10"), (2000, "192.168.1.30"))));
        Assert.Equal(
            "delete element inet routerd forward_v4 { " + string.Join(", ", Enumerable.Range(2000, 10).Select(p => $"tcp . {p}")) + " }\n" +
            "add element inet routerd forward_v4 { " + string.Join(", ", Enumerable.Range(2000, 10).Select(p => $"tcp . {p} : 192.168.1.30 . {p}")) + " }\n",
            SetElementsDelta.Between(before, after));
    }

    [Fact]
    public void Other_containers_give_no_delta() =>
        Assert.Null(SetElementsDelta.Between(Kept(Forwards((1000, "192.168.1.10"))), new SetElements([Forwards((1000, "192.168.1.10")).Elements()])));

    // The firewall's record: the whole content, then the deltas loaded since, appended.

    [Fact]
    public void A_record_with_deltas_appended_reads_as_the_content_they_leave()
    {
        string whole = Map((80, "192.168.1.10"), (443, "192.168.1.10")) + Vip((Phone, "192.168.1.10"));
        string deltas =
            "add element inet routerd forward_v4 { tcp . 8080 : 192.168.1.10 . 80 }\n" +
            "delete element inet routerd forward_v4 { tcp . 80 }\n" +
            "add element inet routerd vip_v4 { 192.168.1.11 }\n" +
            "delete element inet routerd vip_v4 { 192.168.1.10 }\n";
        Assert.Equal(
            "flush map inet routerd forward_v4\nadd element inet routerd forward_v4 { tcp . 443 : 192.168.1.10 . 443, tcp . 8080 : 192.168.1.10 . 80 }\n" +
            "flush set inet routerd vip_macs\nadd element inet routerd vip_macs { 02:00:00:00:02:01 }\n" +
            "flush set inet routerd vip_v4\nadd element inet routerd vip_v4 { 192.168.1.11 }\n" +
            "flush set inet routerd vip_v6\n",
            SetElementsDelta.Replayed(whole + deltas));
        Assert.Equal(whole, SetElementsDelta.Replayed(whole));
    }

    [Theory]
    [InlineData("flush map inet routerd forward_v4\nadd element inet routerd forward_v4 { tcp . 80 : 192.168.1.10 . 80 }\ndelete element inet routerd forward_v4 { tcp . 8")] // cut short
    [InlineData("flush map inet routerd forward_v4\ndelete element inet routerd vip_v4 { 192.168.1.10 }\n")] // a container never flushed
    [InlineData("flush map inet routerd forward_v4\nflush map inet routerd forward_v4\n")] // flushed twice
    public void A_record_that_cannot_be_replayed_is_none(string record) => Assert.Null(SetElementsDelta.Replayed(record));
}
