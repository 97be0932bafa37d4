using System.Globalization;

namespace Routerd;

/// <summary>Human-readable sizes and rates for the CLI's tables (decimal units, like link speeds).</summary>
static class Units
{
    public static string Bytes(long n) => Scaled(n, "B");

    public static string Rate(long bitsPerSecond) => Scaled(bitsPerSecond, "bit/s");

    static string Scaled(long n, string unit)
    {
        string[] prefixes = ["", "k", "M", "G", "T"];
        double v = n;
        int i = 0;
        while (v >= 1000 && i < prefixes.Length - 1) { v /= 1000; i++; }
        return i == 0 ? $"{n} {unit}" : string.Create(CultureInfo.InvariantCulture, $"{v:0.0} {prefixes[i]}{unit}");
    }
}
