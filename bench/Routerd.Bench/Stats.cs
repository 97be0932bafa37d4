namespace Routerd.Bench;

/// <summary>Order statistics of a sample: medians and percentiles (nearest rank), never a
/// single measurement.</summary>
static class Stats
{
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0) throw new InvalidOperationException("no samples");
        var sorted = values.Order().ToArray();
        int rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyCollection<double> values) => Percentile(values, 50);
}
