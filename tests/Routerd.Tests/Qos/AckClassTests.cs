using Routerd.Core.Qos;
using Xunit;

namespace Routerd.Tests.Qos;

/// <summary>The upload tree's class for bare acknowledgements (TcRenderer.AckClass): capped at a
/// tenth of the rate only where cake's ACK filter thins what queues past the cap; with another
/// leaf a cap would only hold the downloads' acknowledgements back.</summary>
public class AckClassTests
{
    static string Upload(LeafQdisc leaf) => string.Join('\n',
        TcRenderer.Render(DownloadTreeTests.State(guest: false, down: 14_400, up: 1_800), leaf).Batch
            .Split('\n').Where(l => l.Contains("dev wan0 ", StringComparison.Ordinal)));

    [Fact]
    public void With_cake_acknowledgements_take_at_most_a_tenth_and_the_filter_thins_the_rest()
    {
        string wan = Upload(LeafQdisc.Cake);
        Assert.Contains($"classid {TcRenderer.AckClass} htb rate 90kbit ceil 180kbit prio 1 ", wan);
        Assert.Contains("parent 1:7 handle 7: cake unlimited besteffort ack-filter-aggressive rtt 60ms\n", wan + "\n");
        // Only the acknowledgements' queue filters: the lane's and bulk's carry data.
        Assert.Single(wan.Split('\n'), l => l.Contains("ack-filter", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(LeafQdisc.FqCodel)]
    [InlineData(LeafQdisc.Fifo)]
    public void Without_cake_acknowledgements_may_borrow_the_whole_rate(LeafQdisc leaf)
    {
        string wan = Upload(leaf);
        Assert.Contains($"classid {TcRenderer.AckClass} htb rate 90kbit ceil 1800kbit prio 1 ", wan);
        Assert.DoesNotContain("ack-filter", wan);
    }
}
