using System.Globalization;
using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>What the tests observe of the router from outside: its ruleset, its dnsmasq, its
/// lease file, its settings over the API.</summary>
static class RouterProbe
{
    /// <summary>The rules without their counters (-s): "nothing was applied" must not depend on
    /// whether a packet (an ISP router solicitation on the WAN, say) was counted meanwhile.</summary>
    public static string Ruleset(this Lab.Lab lab) =>
        lab.RunIn(lab.RouterNs, "nft -s list table inet routerd").EnsureOk().Stdout;

    /// <summary>One set of routerd's table with its elements (the VIP lane's vip_macs, vip_v4...).</summary>
    public static string NftSet(this Lab.Lab lab, string set) =>
        lab.RunIn(lab.RouterNs, $"nft list set inet routerd {set}").EnsureOk().Stdout;

    /// <summary>The PID of routerd's one dnsmasq; fails the test if there is not exactly one.</summary>
    public static int DnsmasqPid(this Lab.Lab lab)
    {
        var pids = lab.PidsOf(lab.RouterNs, "dnsmasq");
        Assert.True(pids.Count == 1, $"expected one dnsmasq in {lab.RouterNs}, found [{string.Join(", ", pids)}]\n{lab.Describe()}");
        return pids[0];
    }

    /// <summary>routerd's dnsmasq lease file (in its StateDir, so leases outlive a restart).</summary>
    public static string RouterLeases(this Lab.Lab lab)
    {
        string file = Path.Combine(lab.StateDir, "dnsmasq.leases");
        return File.Exists(file) ? File.ReadAllText(file) : "";
    }

    /// <summary>One datagram from the ISP namespace to a socat <paramref name="address"/>
    /// ("UDP:host:port,bind=..." or "UDP6:[host]:port"), and the answer. Up to three tries, each
    /// from a new source port: the service forks a shell per datagram, so one may be lost on a
    /// loaded machine. -t 2: once one side ends socat waits only half a second for the other by
    /// default — here after the datagram is sent, and in the service's child after the datagram
    /// is read (so the services take -t 2 as well) — less than a loaded CI runner's fork and shell
    /// can take to answer.</summary>
    public static CommandResult UdpFromIsp(this Lab.Lab lab, string address)
    {
        CommandResult r = null!;
        for (int i = 0; i < 3; i++)
        {
            r = lab.RunIn(lab.IspNs, $"echo hello | timeout 5 socat -t 2 -T 2 - {address}");
            if (r.Stdout.Trim().Length > 0) break;
        }
        return r;
    }

    /// <summary>The WAN address without its prefix length.</summary>
    public static string WanIp(this Lab.Lab lab) =>
        lab.WanAddress()?.Split('/')[0] ?? throw new Xunit.Sdk.XunitException($"wan0 has no address\n{lab.Describe()}");

    public static async Task<JsonObject> Settings(this RouterdApi api) => (JsonObject)await api.GetJson("/api/settings");

    /// <summary>The client renews its lease now; it must keep its address, and dnsmasq must record the lease.</summary>
    public static async Task RenewKeepingAddress(this Lab.Lab lab, LabClient client)
    {
        var before = lab.LeaseOf(client)!;
        lab.RenewLease(client);
        await lab.WaitFor(() => lab.LeaseOf(client)!.Count > before.Count, TimeSpan.FromSeconds(15), $"the {client.Name} to renew its lease");
        Assert.Equal(before.Address, lab.LeaseOf(client)!.Address);
        await lab.WaitFor(() => lab.RouterLeases().Contains(client.Mac), TimeSpan.FromSeconds(5), $"dnsmasq to record the {client.Name}'s lease");
    }

    /// <summary>The lab's ISP becomes a modem: 192.168.1.1 on its side of the cable and a DHCP server
    /// for 192.168.1.50-59 (authoritative: the router's renewal of its 203.0.113.x lease is refused).</summary>
    public static async Task IspBecomesAModem(this Lab.Lab lab)
    {
        lab.RunIn(lab.IspNs, "ip addr add 192.168.1.1/24 dev isp0").EnsureOk();
        foreach (int pid in lab.PidsOf(lab.IspNs, "dnsmasq")) lab.RunIn(lab.IspNs, $"kill {pid}").EnsureOk();
        // The ISP's server must have let go of the DHCP port, or the modem's cannot bind it and
        // nobody answers the router (on a loaded runner a fixed half second was once too short).
        await lab.WaitFor(() => lab.PidsOf(lab.IspNs, "dnsmasq").Count == 0, TimeSpan.FromSeconds(10), "the ISP's dnsmasq to exit");
        string conf = IspServices.WriteDnsmasqConf(Path.Combine(lab.Dir, "modem"), "192.168.1.50", "192.168.1.59", "192.168.1.1");
        lab.StartIn(lab.IspNs, $"exec dnsmasq --keep-in-foreground --log-facility=- --conf-file={conf} --pid-file=", "modem-dnsmasq");
        await lab.WaitFor(() => lab.RunIn(lab.IspNs, "ss -Hlun 'sport = :67'").Stdout.Contains(":67", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the modem's dnsmasq to listen on the DHCP port");
        foreach (int pid in lab.PidsOf(lab.RouterNs, "udhcpc")) lab.RunIn(lab.RouterNs, $"kill -USR1 {pid}").EnsureOk();
    }

    /// <summary>A LAN client fetches the internet host's test file; returns curl's result.</summary>
    public static CommandResult FetchHello(this Lab.Lab lab, LabClient client) =>
        lab.RunIn(client.Namespace, $"curl -sS --max-time 5 http://{LabAddresses.InternetHost}{LabAddresses.HelloPath}");

    /// <summary>The shaper on at <paramref name="kbit"/> both ways: the VIP lane's classes on wan0 (upload) and br-lan (download).</summary>
    public static async Task Shape(this RouterdApi api, long kbit)
    {
        var settings = await api.Settings();
        settings["qos"] = new JsonObject { ["uploadKbit"] = kbit, ["downloadKbit"] = kbit };
        using var response = await api.Put("/api/settings", settings);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The VIP lane on or off for a device, as the web UI does it.</summary>
    public static async Task Priority(this RouterdApi api, LabClient client, bool on, DateTimeOffset? until = null)
    {
        var body = new JsonObject { ["enabled"] = on };
        if (until is { } u) body["until"] = u.ToString("O", CultureInfo.InvariantCulture);
        using var response = await api.Put($"/api/devices/{client.Mac}/priority", body);
        Assert.True(response.IsSuccessStatusCode, $"priority {client.Name} {on} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Bytes sent so far by the VIP and bulk classes on a router port (GET /api/qos).</summary>
    public static async Task<(long Vip, long Bulk)> ClassBytes(this RouterdApi api, string dev)
    {
        var queue = ((JsonArray)(await api.GetJson("/api/qos"))["queues"]!).Single(q => (string?)q!["device"] == dev)!;
        long Sent(string name) => ((JsonArray)queue["classes"]!).Single(c => (string?)c!["name"] == name)!["stats"]!["sentBytes"]!.GetValue<long>();
        return (Sent("vip"), Sent("bulk"));
    }
}
