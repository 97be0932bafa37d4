using System.Net;
using System.Text;
using Routerd.Core.Net;

namespace Routerd.Core.Firewall;

/// <summary>Where each enabled forward leads right now: its device's current IPv4 address on the
/// LAN, or why it leads nowhere. Built from the forwards and the devices' observed addresses, so a
/// device that renews to another address takes its forwards along without a new ruleset.</summary>
public sealed record ForwardMap(IReadOnlyList<ForwardTarget> Targets)
{
    public static readonly ForwardMap Empty = new([]);

    /// <summary>The map's name in <c>table inet routerd</c> (ForwardsRenderer declares it).</summary>
    public const string MapName = "forward_v4";

    /// <param name="addressOf">the device's current IPv4 address inside the LAN subnet, or null.</param>
    public static ForwardMap From(IReadOnlyList<ForwardPlan> forwards, Func<MacAddress, IPAddress?> addressOf)
    {
        var onceEach = OncePerDevice(addressOf);
        return new(forwards.Select(f => TargetOf(f, onceEach)).ToList());
    }

    /// <summary><paramref name="addressOf"/>, asked once per device: many forwards lead to one device
    /// (a NAS with a dozen ports).</summary>
    public static Func<MacAddress, IPAddress?> OncePerDevice(Func<MacAddress, IPAddress?> addressOf)
    {
        var addresses = new Dictionary<MacAddress, IPAddress?>();
        return mac => addresses.TryGetValue(mac, out var a) ? a : addresses[mac] = addressOf(mac);
    }

    /// <summary>Where one forward leads now: the map's entry for it.</summary>
    public static ForwardTarget TargetOf(ForwardPlan f, Func<MacAddress, IPAddress?> addressOf) => !f.Enabled
        ? new ForwardTarget(f, null, ForwardTarget.Disabled)
        : addressOf(f.Mac) is { } a ? new ForwardTarget(f, a, null) : new ForwardTarget(f, null, ForwardTarget.NoAddress);

    /// <summary>The map's whole content as one nft script: flush, then add, loaded atomically like
    /// the VIP sets (no packet sees a half-filled map). One element per protocol and WAN port:
    /// the lookup stays one hash probe however many forwards there are, and a range that moves to
    /// other LAN ports keeps each port's offset.</summary>
    public string ToNft() => new SetElements([Elements()]).ToNft();

    /// <summary>The map's content with each forward that leads somewhere as one group: a change
    /// of one forward is found by comparing forwards, and only its elements are written out
    /// (<see cref="SetElementsDelta"/>).</summary>
    public SetElements.Container Elements() => new(ContainerName, Targets.Where(t => t.Address is not null).Select(GroupOf).ToList());

    /// <summary>The map as its flush line names it.</summary>
    public const string ContainerName = $"map inet {NftRenderer.TableName} {MapName}";

    /// <summary>The elements of one forward that leads somewhere, as the map's group for it.</summary>
    public static ElementGroup GroupOf(ForwardTarget t) => ElementGroup.Of(t, ElementsOf);

    /// <summary>One forward's elements: "tcp . 8080 : 192.168.1.50 . 80, ...".</summary>
    static string ElementsOf(ForwardTarget t)
    {
        var f = t.Forward;
        var b = new StringBuilder();
        string to = t.Address!.ToString(), separator = "";
        foreach (var protocol in new[] { ForwardProtocols.Tcp, ForwardProtocols.Udp })
        {
            if (!f.Protocols.HasFlag(protocol)) continue;
            string p = ForwardRules.ProtocolName(protocol);
            for (int port = f.WanStart; port <= f.WanEnd; port++)
            {
                b.Append(separator).Append(p).Append(" . ").Append(port).Append(" : ").Append(to).Append(" . ").Append(f.LanStart + (port - f.WanStart));
                separator = ", ";
            }
        }
        return b.ToString();
    }
}

/// <summary>A forward and where it leads now; <see cref="Reason"/> says why not when <see cref="Address"/> is null.</summary>
public sealed record ForwardTarget(ForwardPlan Forward, IPAddress? Address, string? Reason)
{
    public const string Disabled = "forward/DISABLED";
    /// <summary>The device holds no IPv4 address on the LAN now (offline, or never seen).</summary>
    public const string NoAddress = "forward/NO_ADDRESS";
}
