namespace Routerd.Core.Upgrade;

/// <summary>Orders firmware versions as routerd writes them (<c>0.1.0</c>, <c>1.2.10</c>, an optional
/// <c>-suffix</c> after the numbers): number by number, then a suffixed version before the same
/// numbers without one (a pre-release comes before its release).</summary>
public static class FirmwareVersion
{
    public static int Compare(string a, string b)
    {
        var (na, sa) = Split(a);
        var (nb, sb) = Split(b);
        for (int i = 0; i < Math.Max(na.Length, nb.Length); i++)
        {
            long x = i < na.Length ? na[i] : 0, y = i < nb.Length ? nb[i] : 0;
            if (x != y) return x.CompareTo(y);
        }
        return (sa.Length, sb.Length) switch
        {
            (0, 0) => 0,
            (0, _) => 1,
            (_, 0) => -1,
            _ => Math.Sign(string.CompareOrdinal(sa, sb)),
        };
    }

    /// <summary>True for what <see cref="Compare"/> can order: digits and dots, then an optional
    /// suffix of letters, digits, dots and dashes.</summary>
    public static bool IsValid(string version)
    {
        if (string.IsNullOrEmpty(version) || version.Length > 64) return false;
        var (numbers, suffix) = Split(version);
        return numbers.Length > 0 && suffix.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-');
    }

    static (long[] Numbers, string Suffix) Split(string v)
    {
        int dash = v.IndexOf('-');
        string head = dash < 0 ? v : v[..dash], suffix = dash < 0 ? "" : v[(dash + 1)..];
        var parts = head.Split('.');
        var numbers = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out numbers[i]))
                return ([], v);
        return (numbers, suffix);
    }
}
