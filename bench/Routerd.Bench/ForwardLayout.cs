using System.Globalization;
using System.Text;

namespace Routerd.Bench;

/// <summary>The port forwards `bench forward` installs, as plain numbers, and the same ports as
/// a linear iptables-legacy chain. routerd's settings hold at most <c>ForwardRules.MaxForwards</c>
/// forwards, so a size above that comes as port ranges; routerd's map holds one element per
/// protocol and port whichever way the ports were entered, so its data path is the one that many
/// single-port forwards would have. The chain gets one DNAT rule per port, as a home router
/// renders single-port forwards. Pure: the unit tier checks it (tests/Routerd.Tests/Bench).</summary>
public static class ForwardLayout
{
    /// <summary>One forward: WAN ports <paramref name="Start"/>..<paramref name="End"/> to the same
    /// ports on the device.</summary>
    public readonly record struct PortRange(int Start, int End)
    {
        public int Length => End - Start + 1;
    }

    /// <summary>How many forwards carry the <paramref name="elements"/> − 1 filler ports beside the
    /// measured forward: one each while the settings' limit allows it; above that as few ranges as
    /// leave room for the measured forward and one more (the add that is timed).</summary>
    public static int FillerForwards(int elements, int maxForwards)
    {
        if (elements < 1) throw new ArgumentOutOfRangeException(nameof(elements), elements, "at least the measured forward");
        if (maxForwards < 3) throw new ArgumentOutOfRangeException(nameof(maxForwards), maxForwards, "room for a filler, the measured forward and the added one");
        int ports = elements - 1;
        return elements <= maxForwards ? ports : Math.Min(ports, maxForwards - 2);
    }

    /// <summary><paramref name="ports"/> consecutive ports from <paramref name="first"/> in
    /// <paramref name="forwards"/> ranges whose lengths differ by one at most (the longer first).</summary>
    public static IReadOnlyList<PortRange> Ranges(int first, int ports, int forwards)
    {
        if (ports < 0 || forwards < 0 || forwards > ports || (ports > 0 && forwards == 0))
            throw new ArgumentOutOfRangeException(nameof(forwards), forwards, $"{ports} port(s) cannot be {forwards} range(s)");
        if (first < 1 || first + ports - 1 > 65535)
            throw new ArgumentOutOfRangeException(nameof(first), first, $"ports {first}..{first + ports - 1} are not all ports");
        var ranges = new List<PortRange>(forwards);
        int start = first;
        for (int i = 0; i < forwards; i++)
        {
            int length = ports / forwards + (i < ports % forwards ? 1 : 0);
            ranges.Add(new PortRange(start, start + length - 1));
            start += length;
        }
        return ranges;
    }

    /// <summary>One DNAT rule: TCP to <paramref name="WanPort"/> goes to <paramref name="Address"/>:<paramref name="LanPort"/>.</summary>
    public readonly record struct Dnat(int WanPort, string Address, int LanPort);

    /// <summary>The chain a linear firewall has for the forwards: every filler port first, each
    /// its own rule, and the measured forward last (a new connection to it is compared with every
    /// rule before it, as the forward added last on such a router is).</summary>
    public static IReadOnlyList<Dnat> Chain(IReadOnlyList<PortRange> fillers, string address, Dnat measured) =>
        [.. fillers.SelectMany(r => Enumerable.Range(r.Start, r.Length)).Select(p => new Dnat(p, address, p)), measured];

    /// <summary>The chain the iptables set-up uses in the router's namespace.</summary>
    public const string ChainName = "port_forwards";

    /// <summary>An iptables-legacy-restore document for a router without routerd: the forwards
    /// as DNAT rules of the WAN address in their own chain, a forward filter that passes what
    /// conntrack knows and what was DNATed (policy drop, like routerd's), and the LAN's
    /// masquerade. With no rules, empty tables with policy accept: the state between set-ups.</summary>
    public static string IptablesRestore(string wan, string wanAddress, string lan, string lanNet, IReadOnlyList<Dnat> rules)
    {
        var b = new StringBuilder();
        bool router = rules.Count > 0;
        b.Append("*filter\n:INPUT ACCEPT [0:0]\n").Append(router ? ":FORWARD DROP [0:0]\n" : ":FORWARD ACCEPT [0:0]\n").Append(":OUTPUT ACCEPT [0:0]\n");
        if (router)
        {
            b.Append("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
            b.Append("-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT\n");
            b.Append(CultureInfo.InvariantCulture, $"-A FORWARD -i {lan} -o {wan} -j ACCEPT\n");
        }
        b.Append("COMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
        if (router)
        {
            b.Append(CultureInfo.InvariantCulture, $":{ChainName} - [0:0]\n");
            b.Append(CultureInfo.InvariantCulture, $"-A PREROUTING -i {wan} -j {ChainName}\n");
            foreach (var r in rules)
                b.Append(CultureInfo.InvariantCulture, $"-A {ChainName} -d {wanAddress}/32 -p tcp -m tcp --dport {r.WanPort} -j DNAT --to-destination {r.Address}:{r.LanPort}\n");
            b.Append(CultureInfo.InvariantCulture, $"-A POSTROUTING -s {lanNet} -o {wan} -j MASQUERADE\n");
        }
        b.Append("COMMIT\n");
        return b.ToString();
    }
}
