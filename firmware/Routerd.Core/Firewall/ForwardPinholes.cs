using System.Net;
using System.Net.Sockets;
using System.Text;
using Routerd.Core.Net;

namespace Routerd.Core.Firewall;

/// <summary>The port forwards on IPv6. Every LAN device has global addresses of its own there and
/// nothing is translated (no NAT66), so a forward becomes a pinhole: new connections from the
/// internet may reach the forward's device, at each global address it holds now, on the forward's
/// protocols and its <b>LAN</b> ports.
///
/// Why the LAN port and not the WAN port: an IPv6 packet reaches the device with the destination
/// port the sender chose, so the port that has to be open is the one the device listens on. Had the
/// pinhole opened the WAN port of "WAN 8080 → LAN 80", the web server on port 80 would stay closed
/// and port 8080, where nothing listens, would be open. Consumer routers do the same: a FRITZ!Box
/// port sharing opens the device's port on IPv6 and takes its "external port" for IPv4 only, and
/// the UPnP IGD IPv6 firewall control (AddPinhole) names the internal client's port.
///
/// The addresses are the ones the VIP lane's sets use (the device registry: the neighbour table,
/// privacy addresses included), limited to global unicast (2000::/3): link-local and ULA
/// addresses are not reachable from the internet. The set is keyed by address . protocol . port,
/// one hash lookup per new inbound connection however many forwards exist, and its elements move
/// with the device's addresses without a ruleset load, like <see cref="ForwardMap"/>'s.</summary>
public sealed record ForwardPinholes(IReadOnlyList<ForwardPinholes.Hole> Holes)
{
    public static readonly ForwardPinholes Empty = new([]);

    /// <summary>The set's name in <c>table inet routerd</c> (ForwardsRenderer declares it).</summary>
    public const string SetName = "forward_v6";

    /// <summary>A forward and the global IPv6 addresses its device holds now (none: disabled, or not seen on IPv6).</summary>
    public sealed record Hole(ForwardPlan Forward, IReadOnlyList<IPAddress> Addresses);

    /// <param name="addressesOf">every address the device holds now (IPv4 and IPv6; only global IPv6 ones are used).</param>
    public static ForwardPinholes From(IReadOnlyList<ForwardPlan> forwards, Func<MacAddress, IEnumerable<IPAddress>> addressesOf)
    {
        // Many forwards lead to one device: each device's addresses are looked up and sorted once.
        var global = new Dictionary<MacAddress, IReadOnlyList<IPAddress>>();
        IReadOnlyList<IPAddress> GlobalOf(MacAddress mac) => global.TryGetValue(mac, out var a) ? a
            : global[mac] = addressesOf(mac).Where(IsGlobal).Distinct().OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();
        return new(forwards.Select(f => new Hole(f, f.Enabled ? GlobalOf(f.Mac) : [])).ToList());
    }

    /// <summary>Global unicast (2000::/3, RFC 4291): what the internet can send to. Link-local
    /// (fe80::/10) and unique local (fc00::/7) addresses are outside it.</summary>
    public static bool IsGlobal(IPAddress a) =>
        a.AddressFamily == AddressFamily.InterNetworkV6 && (a.GetAddressBytes()[0] & 0xe0) == 0x20;

    /// <summary>The set's whole content as one nft script: flush, then add (the shape
    /// <see cref="SetElementsDelta"/> reads, so a change loads only the elements that moved).</summary>
    public string ToNft()
    {
        var b = new StringBuilder($"flush set inet {NftRenderer.TableName} {SetName}\n");
        // Two forwards may lead to the same LAN port of a device (WAN 8080 and 8081 to its 80):
        // one pinhole, one element (a delta could not delete it twice).
        var elements = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (f, addresses) in Holes)
            foreach (var address in addresses)
                foreach (var protocol in new[] { ForwardProtocols.Tcp, ForwardProtocols.Udp })
                {
                    if (!f.Protocols.HasFlag(protocol)) continue;
                    string p = ForwardRules.ProtocolName(protocol);
                    for (int port = f.LanStart; port <= f.LanEnd; port++)
                        if ($"{address} . {p} . {port}" is var element && seen.Add(element)) elements.Add(element);
                }
        if (elements.Count > 0)
            b.Append($"add element inet {NftRenderer.TableName} {SetName} {{ {string.Join(", ", elements)} }}\n");
        return b.ToString();
    }
}
