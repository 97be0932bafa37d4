using Routerd.Core.Qos;
using Xunit;

namespace Routerd.Tests.Qos;

/// <summary>The shaped download's cake reports its tins, not classes (Qos/CakeTinText.cs): the
/// lane's figures are its tin 1, everyone else's the other seven added up. The text is what
/// `tc -s qdisc show dev br-lan` printed in the lab VM (iproute2 6.1, Debian's 6.1 kernel) after
/// a loaded call with the phone in the lane.</summary>
public class CakeTinTextTests
{
    const string Sample = """
        qdisc cake 1: root refcnt 2 bandwidth 14400Kbit precedence dual-dsthost nonat nowash ingress no-ack-filter split-gso rtt 100ms raw overhead 0 
         Sent 32558853 bytes 23986 pkt (dropped 1875, overlimits 41587 requeues 0) 
         backlog 0b 0p requeues 0
         memory used: 204602b of 4Mb
         capacity estimate: 14400Kbit
         min/max network layer size:           42 /    1514
         min/max overhead-adjusted size:       42 /    1514
         average network hdr offset:           14

                          Tin 0        Tin 1        Tin 2        Tin 3        Tin 4        Tin 5        Tin 6        Tin 7
          thresh      14400Kbit    12600Kbit    11025Kbit     9646Kbit     8441Kbit     7385Kbit     6462Kbit     5654Kbit
          target            5ms          5ms          5ms          5ms          5ms          5ms          5ms          5ms
          interval        100ms        100ms        100ms        100ms        100ms        100ms        100ms        100ms
          pk_delay       9.35ms       3.52ms          0us          0us          0us          0us          0us         37us
          av_delay       5.11ms       1.38ms          0us          0us          0us          0us          0us          0us
          sp_delay         16us        176us          0us          0us          0us          0us          0us          0us
          backlog            0b           0b           0b           0b           0b           0b           0b           0b
          pkts            23358         2501            0            0            0            0            0            2
          bytes        32790929      2605142            0            0            0            0            0           84
          way_inds            0            0            0            0            0            0            0            0
          way_miss           52            2            0            0            0            0            0            1
          way_cols            0            0            0            0            0            0            0            0
          drops            1875            0            0            0            0            0            0            0
          marks               0            0            0            0            0            0            0            0
          ack_drop            0            0            0            0            0            0            0            0
          sp_flows           11            1            0            0            0            0            0            1
          bk_flows            2            0            0            0            0            0            0            0
          un_flows            0            0            0            0            0            0            0            0
          max_len          9084         1042            0            0            0            0            0           42
          quantum           439          384          336          300          300          300          300          300
        """;

    [Fact]
    public void The_lane_is_tin_1_and_bulk_the_other_seven()
    {
        var stats = CakeTinText.Parse(Sample);
        Assert.Equal(["1:6", "1:20"], stats.Select(s => s.ClassId));
        // The call: 2,501 packets, 2,605,142 bytes, nothing dropped, nothing queued.
        Assert.Equal(new QueueClassStats("1:6", 2_605_142, 2_501, 0, 0, 0, 0), stats[0]);
        Assert.Equal(new QueueClassStats("1:20", 32_790_929 + 84, 23_358 + 2, 1_875, 0, 0, 0), stats[1]);
    }

    [Fact]
    public void Backlogs_in_any_unit_and_filtered_acknowledgements_count()
    {
        string busy = Sample
            .Replace("  backlog            0b           0b           0b", "  backlog         1.5Kb        1514b           0b")
            .Replace("  ack_drop            0            0            0", "  ack_drop            7            0            0");
        var stats = CakeTinText.Parse(busy);
        Assert.Equal(1514, stats[0].BacklogBytes);
        Assert.Equal(1536, stats[1].BacklogBytes);
        Assert.Equal(1_875 + 7, stats[1].Dropped);
    }

    [Theory]
    [InlineData("")]
    [InlineData("qdisc htb 1: root refcnt 2 r2q 10 default 0x20 direct_packets_stat 0 direct_qlen 1000\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0)\n")]
    public void A_device_without_the_downloads_cake_has_no_tins(string text) => Assert.Empty(CakeTinText.Parse(text));

    [Fact]
    public void Only_the_root_cake_is_read_not_a_leaf_cake()
    {
        string leafOnly = Sample.Replace("qdisc cake 1: root refcnt 2", "qdisc cake 20: parent 1:20");
        Assert.Empty(CakeTinText.Parse(leafOnly));
    }
}
