using System.Net;
using System.Text.RegularExpressions;
using Routerd.Bench;
using Routerd.Core.Firewall;
using Routerd.Core.Settings;
using Xunit;

namespace Routerd.Tests.Bench;

/// <summary>`bench forward`'s layout (bench/Routerd.Bench/ForwardLayout.cs, compiled in here):
/// what it installs must be what it claims, checked against routerd's own validation and map
/// rendering, and the iptables chain must hold the same ports.</summary>
public class ForwardLayoutTests
{
    const string Phone = "02:00:00:00:01:01";

    [Fact]
    public void Ranges_cover_the_ports_once_in_order_with_lengths_that_differ_by_one_at_most()
    {
        var ranges = ForwardLayout.Ranges(20000, 9999, 998);
        Assert.Equal(998, ranges.Count);
        Assert.Equal(20000, ranges[0].Start);
        Assert.Equal(29998, ranges[^1].End);
        Assert.All(ranges.Zip(ranges.Skip(1)), p => Assert.Equal(p.First.End + 1, p.Second.Start));
        Assert.Equal(9999, ranges.Sum(r => r.Length));
        Assert.Equal(new[] { 10, 11 }, ranges.Select(r => r.Length).Distinct().Order());
        Assert.Empty(ForwardLayout.Ranges(20000, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ForwardLayout.Ranges(20000, 5, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => ForwardLayout.Ranges(65000, 1000, 10));
    }

    /// <summary>Each size passes routerd's validation, its map gets one element per port, and the
    /// largest leaves room under the settings' limit for the forward whose add is timed.</summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1000, 1000)]
    [InlineData(10000, 999)]
    public void Every_size_is_valid_settings_whose_map_holds_one_element_per_port(int elements, int forwards)
    {
        var fillers = ForwardLayout.Ranges(20000, elements - 1, ForwardLayout.FillerForwards(elements, ForwardRules.MaxForwards));
        var list = new List<PortForward> { new() { Id = 1, Protocol = "tcp", WanPort = 40000, LanPort = 7200, Mac = Phone } };
        list.AddRange(fillers.Select((r, i) => new PortForward { Id = i + 2, Protocol = "tcp", WanPort = r.Start, WanPortEnd = r.End == r.Start ? null : r.End, Mac = Phone }));
        Assert.Equal(forwards, list.Count);
        var errors = new List<FieldError>();
        var plans = ForwardRules.Build(list, null, errors);
        Assert.Empty(errors);
        string map = ForwardMap.From(plans!, _ => IPAddress.Parse("192.168.1.57")).ToNft();
        Assert.Equal(elements, Regex.Matches(map, @" : 192\.168\.1\.57 \. ").Count);
        Assert.True(list.Count < ForwardRules.MaxForwards || elements <= ForwardRules.MaxForwards, "no room for the timed add");
    }

    [Fact]
    public void The_iptables_chain_has_one_dnat_rule_per_port_with_the_measured_forward_last()
    {
        var fillers = ForwardLayout.Ranges(20000, 9999, 998);
        var measured = new ForwardLayout.Dnat(40000, "192.168.1.57", 7200);
        var chain = ForwardLayout.Chain(fillers, "192.168.1.57", measured);
        Assert.Equal(10000, chain.Count);
        Assert.Equal(measured, chain[^1]);
        Assert.Equal(10000, chain.Select(d => d.WanPort).Distinct().Count());

        string rules = ForwardLayout.IptablesRestore("wan0", "203.0.113.10", "br-lan", "192.168.1.0/24", chain);
        var dnat = rules.Split('\n').Where(l => l.Contains("-j DNAT")).ToList();
        Assert.Equal(10000, dnat.Count);
        Assert.Equal("-A port_forwards -d 203.0.113.10/32 -p tcp -m tcp --dport 40000 -j DNAT --to-destination 192.168.1.57:7200", dnat[^1]);
        Assert.Contains(":FORWARD DROP [0:0]", rules);
        Assert.Contains("-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT", rules);
        Assert.Equal(2, Regex.Matches(rules, "^COMMIT$", RegexOptions.Multiline).Count);

        string empty = ForwardLayout.IptablesRestore("wan0", "0.0.0.0", "br-lan", "192.168.1.0/24", []);
        Assert.DoesNotContain("-A ", empty);
        Assert.Contains(":FORWARD ACCEPT [0:0]", empty);
    }
}
