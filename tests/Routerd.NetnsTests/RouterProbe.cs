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

    /// <summary>A LAN client fetches the internet host's test file; returns curl's result.</summary>
    public static CommandResult FetchHello(this Lab.Lab lab, LabClient client) =>
        lab.RunIn(client.Namespace, $"curl -sS --max-time 5 http://{LabAddresses.InternetHost}{LabAddresses.HelloPath}");
}
