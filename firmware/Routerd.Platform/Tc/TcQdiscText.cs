namespace Routerd.Platform.Tc;

/// <summary>Reads `tc qdisc show` (all devices): which devices carry routerd's tree, an HTB root
/// with handle 1:. Lines look like "qdisc htb 1: dev wan0 root refcnt 3 r2q 10 ...".</summary>
public static class TcQdiscText
{
    public static IReadOnlySet<string> DevicesWithHtbRoot(string text)
    {
        var devices = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w is ["qdisc", "htb", "1:", "dev", var dev, "root", ..]) devices.Add(dev);
        }
        return devices;
    }
}
