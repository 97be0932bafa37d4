using Routerd.Core.Qos;
using Routerd.Core.Settings;
using Routerd.Platform.Processes;
using Routerd.Platform.Tc;
using Routerd.Tests.Netlink;
using Xunit;

namespace Routerd.Tests.Qos;

/// <summary>The tc adapter with the guests' shared download tree on the real kernel, in a
/// throwaway namespace: the guest interface's absence fails nothing, its appearance (and its
/// re-creation by a hostapd restart) brings its redirect back without rebuilding the tree, a plan
/// without guests takes every clsact away; and a packet nftables marked 1:6 on the bridge is
/// counted in the IFB's VIP class, a guest's unmarked one in bulk.</summary>
public sealed class TcQueuesKernelTests : IDisposable
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"], WifiDevice = "wlan0" };
    readonly TestNamespace ns = TestNamespace.Create();
    readonly TestNamespace peer = TestNamespace.Create();
    readonly string runDir = Directory.CreateTempSubdirectory("routerd-tc-").FullName;

    public void Dispose()
    {
        ns.Dispose();
        peer.Dispose();
        Directory.Delete(runDir, recursive: true);
    }

    static DesiredState State(bool guest)
    {
        var s = FirstBoot.Settings(Board, _ => "hash");
        s = s with
        {
            Wifi = s.Wifi with { Guest = guest ? new() { Enabled = true, Ssid = "visitors", Passphrase = "guest-key-123", Address = "192.168.2.1/24" } : new() },
            Qos = new() { UploadKbit = 20_000, DownloadKbit = 10_000 },
        };
        return DesiredStateBuilder.Build(s, Board, new SystemFacts(null, DateTimeOffset.UnixEpoch));
    }

    string Tc(string args) => ns.Run(() => ProcessRunner.Run("tc", args.Split(' '))).StandardOutput;

    bool Clsact(string dev) => Tc($"qdisc show dev {dev}").Contains("clsact", StringComparison.Ordinal);

    /// <summary>The router's side: wan0, br-lan (a veth standing in for the bridge) and, when asked,
    /// wlan-guest, each paired with a device in the peer namespace; and the IFB the network plan makes.</summary>
    void Link(string name, string address)
    {
        ns.Ip($"link add {name} type veth peer name p-{name} netns {peer.Name}");
        ns.Ip($"addr add {address}.1/24 dev {name}");
        ns.Ip($"link set {name} up");
        peer.Ip($"addr add {address}.2/24 dev p-{name}");
        peer.Ip($"link set p-{name} up");
    }

    bool Apply(TcPlan plan) => ns.Run(() => new TcQueues("tc", runDir).Apply(plan));

    [Fact]
    public void Redirects_follow_the_guest_interface_and_leave_with_the_plan()
    {
        Link("wan0", "10.9.1");
        Link("br-lan", "10.9.2");
        ns.Ip($"link add {TcRenderer.DownloadIfb} type ifb");
        ns.Ip($"link set {TcRenderer.DownloadIfb} up");
        var shared = TcRenderer.Render(State(guest: true), LeafQdisc.Fifo);

        // hostapd has not made the guest interface yet: the rest is applied.
        Assert.True(Apply(shared));
        Assert.True(Clsact("br-lan"));
        Assert.Contains("htb 1: root", Tc($"qdisc show dev {TcRenderer.DownloadIfb}"));
        Assert.False(Apply(shared));

        Link("wlan-guest", "10.9.3");
        Assert.True(Apply(shared));
        Assert.True(Clsact("wlan-guest"));
        Assert.False(Apply(shared));

        // nftables marks ICMP to the LAN's peer VIP (postrouting, as routerd's table does); the
        // guest's stays unmarked.
        string rules = Path.Combine(runDir, "mark.nft");
        File.WriteAllText(rules, "table inet t {\n\tchain post {\n\t\ttype filter hook postrouting priority mangle;\n\t\toifname \"br-lan\" icmp type echo-request meta priority set 1:6\n\t}\n}\n");
        ns.Exec($"nft -f {rules}");
        ns.Exec("ping -c 5 -i 0.2 -W 2 10.9.2.2");
        ns.Exec("ping -c 5 -i 0.2 -W 2 10.9.3.2");
        var classes = TcClassText.Parse(Tc($"-s class show dev {TcRenderer.DownloadIfb}")).ToDictionary(c => c.ClassId);
        Assert.Equal(5, classes["1:6"].SentPackets); // the five marked requests, nothing else
        Assert.True(classes["1:20"].SentPackets >= 5, $"bulk sent {classes["1:20"].SentPackets} packets: the guest's five requests and ARP expected");

        // A hostapd restart makes the interface anew, without its clsact: the redirect comes back,
        // and the tree is not rebuilt (its counters go on).
        ns.Ip("link del wlan-guest");
        Link("wlan-guest", "10.9.3");
        Assert.True(Apply(shared));
        Assert.True(Clsact("wlan-guest"));
        var after = TcClassText.Parse(Tc($"-s class show dev {TcRenderer.DownloadIfb}")).Single(c => c.ClassId == "1:6");
        Assert.Equal(5, after.SentPackets);

        // The guest network off: the tree goes back to the bridge, and no device keeps a clsact.
        Assert.True(Apply(TcRenderer.Render(State(guest: false), LeafQdisc.Fifo)));
        Assert.False(Clsact("br-lan") || Clsact("wlan-guest"));
        Assert.Contains("htb 1: root", Tc("qdisc show dev br-lan"));
        Assert.DoesNotContain("htb", Tc($"qdisc show dev {TcRenderer.DownloadIfb}"));
    }
}
