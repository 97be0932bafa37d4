using Routerd.Core.Firewall;
using Routerd.Core.Lan;
using Routerd.Core.Net;
using Routerd.Core.Qos;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd.Core.Loop;

/// <summary>Everything the renderers make from one desired state: what the appliers install.</summary>
public sealed record RenderedConfig(
    NetworkPlan Network,
    IReadOnlyList<KeyValuePair<string, string>> Sysctls,
    string Nftables,
    TcPlan Tc,
    DnsmasqConfig Dnsmasq,
    DhcpClientPlan? DhcpClient,
    Wan.PppdPlan? Pppd = null,
    Wifi.HostapdConfig? Hostapd = null,
    Ipv6.Dhcp6ClientPlan? Dhcp6Client = null)
{
    /// <summary>The ruleset offloads to the fast path's flowtable (FastPath/).</summary>
    public bool FastPath { get; init; }

    /// <summary>Each rendered text under a file name, in apply order (for `routerd render` and the golden tests).</summary>
    public IEnumerable<KeyValuePair<string, string>> Files()
    {
        yield return new("network.ip-batch", Network.ToIpBatch());
        yield return new("sysctl.conf", string.Concat(Sysctls.Select(s => $"{s.Key} = {s.Value}\n")));
        yield return new("routerd.nft", Nftables);
        yield return new("tc.batch", Tc.Batch);
        yield return new(DnsmasqConfig.MainFile, Dnsmasq.Main);
        yield return new(DnsmasqConfig.HostsFile, Dnsmasq.Hosts);
        yield return new(DnsmasqConfig.ServersFile, Dnsmasq.Servers);
        if (Dnsmasq.Guest is { } guest) yield return new(Wifi.GuestDnsmasqRenderer.MainFile, guest);
        if (DhcpClient is { } d)
        {
            yield return new("udhcpc.args", "udhcpc " + string.Join(' ', d.Arguments) + "\n");
            yield return new(DhcpClientPlan.HookFile, d.HookScript);
        }
        if (Pppd is { } p)
        {
            yield return new("pppd.args", "pppd " + string.Join(' ', p.Arguments) + "\n");
            yield return new(Wan.PppdPlan.OptionsFile, p.Options);
            yield return new(Wan.PppdPlan.SecretFile, p.SecretOptions.Value);
            yield return new(Wan.PppdPlan.UpHookFile, p.UpHook);
            yield return new(Wan.PppdPlan.DownHookFile, p.DownHook);
        }
        if (Hostapd is { } h) yield return new(Wifi.HostapdConfig.FileName, h.Text);
        if (Dhcp6Client is { } c)
        {
            yield return new("dhcpcd.args", c.Program + " " + string.Join(' ', c.Arguments) + "\n");
            yield return new(Ipv6.Dhcp6ClientPlan.ConfigFile, c.Config);
            yield return new(Ipv6.Dhcp6ClientPlan.HookFile, c.HookScript);
        }
    }
}

public static class Renderer
{
    /// <summary>Kernel settings a router needs, written inside routerd's own network namespace only.</summary>
    static readonly IReadOnlyList<KeyValuePair<string, string>> RouterSysctls =
    [
        new("net.ipv4.ip_forward", "1"),
        // Drop packets whose source could not have come in on that interface (spoofing from the WAN).
        new("net.ipv4.conf.all.rp_filter", "1"),
        new("net.ipv4.conf.default.rp_filter", "1"),
    ];

    /// <summary>IPv6 forwarding stays on whatever the IPv6 switch says: a forwarding kernel never
    /// configures an interface from router advertisements (accept_ra 1), so the WAN's come to dhcpcd
    /// only, and with forwarding off the WAN took the ISP's prefix and br-lan took dnsmasq's parting
    /// advertisements (measured in the lab VM). IPv6 off is the firewall's rule instead (NftRenderer).</summary>
    static IReadOnlyList<KeyValuePair<string, string>> Sysctls(DesiredState state) =>
        [.. RouterSysctls, new("net.ipv6.conf.all.forwarding", "1"), .. VirtualServers.VirtualServerRenderer.Sysctls(state), .. Firewall.ConnectionCounting.Sysctls];

    /// <param name="present">the interfaces that exist now (null: all named do); the flowtable names only those.</param>
    public static RenderedConfig RenderAll(DesiredState state, WanLease? lease, HookTarget hooks, LeafQdisc leaf, Ipv6.Dhcp6Lease? v6 = null,
        IReadOnlySet<string>? present = null) => new(
        NetworkPlanRenderer.Render(state, lease, v6),
        Sysctls(state),
        NftRenderer.Render(state, present, TcRenderer.DownloadIsCake(state, leaf)),
        TcRenderer.Render(state, leaf, WanInterfaces.EgressExists(state, lease)),
        DnsmasqRenderer.Render(state, lease),
        DhcpClientRenderer.Render(state, hooks),
        Wan.PppdRenderer.Render(state, hooks),
        Wifi.HostapdRenderer.Render(state),
        Ipv6.DhcpcdRenderer.Render(state, lease, hooks))
    {
        FastPath = FastPath.FastPathDecision.Devices(state, present) is not null,
    };
}
