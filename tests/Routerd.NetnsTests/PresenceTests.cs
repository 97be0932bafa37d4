using System.Globalization;
using System.Text.Json.Nodes;
using Routerd.Lab;
using Xunit;

namespace Routerd.NetnsTests;

/// <summary>routerd with a short stated quiet period (30 s), so presence can be watched run out.</summary>
public sealed class PresenceFixture : LabFixture
{
    public const int QuietSeconds = 30;
    protected override LabOptions Options => new() { RouterdArgs = [$"--PresenceQuietSeconds={QuietSeconds}"] };
}

/// <summary>Presence on the real kernel (issue 23): an idle, plugged-in device stays online (the
/// router asks it), a device moving traffic is online, and a device that is gone shows offline
/// once the quiet period has passed since its last sign, not before.</summary>
public sealed class PresenceTests(PresenceFixture fixture) : IClassFixture<PresenceFixture>
{
    readonly Lab.Lab lab = fixture.Lab;
    readonly RouterdApi api = fixture.Api;
    static readonly TimeSpan Quiet = TimeSpan.FromSeconds(PresenceFixture.QuietSeconds);

    [Fact]
    public async Task The_status_states_the_quiet_period()
    {
        var status = await api.GetJson("/api/status");
        Assert.Equal(PresenceFixture.QuietSeconds, status["presenceQuietSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_idle_plugged_in_device_stays_online()
    {
        string phone = lab.LeaseOf(lab.Phone)!.Address;
        lab.RunIn(lab.Phone.Namespace, $"ping -n -c 1 -W 2 {LabAddresses.RouterLan}").EnsureOk();
        // The kernel forgets quickly: the entry is STALE, as after half a minute of silence.
        lab.RunIn(lab.RouterNs, $"ip neigh change {phone} dev br-lan lladdr {lab.Phone.Mac} nud stale").EnsureOk();
        var until = DateTimeOffset.UtcNow + Quiet * 2;
        while (DateTimeOffset.UtcNow < until)
        {
            var d = await Device(lab.Phone);
            Assert.True(d["online"]!.GetValue<bool>(), $"the idle phone showed offline: {d.ToJsonString()}\n{lab.RunIn(lab.RouterNs, "ip neigh show dev br-lan").Stdout}");
            await Task.Delay(1000);
        }
        var seen = DateTimeOffset.Parse((string)(await Device(lab.Phone))["lastSeen"]!, CultureInfo.InvariantCulture);
        string neighbour = lab.RunIn(lab.RouterNs, $"ip neigh show {phone} dev br-lan").Stdout.Trim();
        // lastSeen is when the kernel last confirmed the phone (it entered REACHABLE) or stopped
        // holding it reachable; a confirmation holds for 15-45 s (base_reachable_time, 30 s,
        // randomised by half either way), so an answer may be older than the quiet period while
        // the entry still says REACHABLE — which, the ping being a minute old, a probe's answer made.
        Assert.True(DateTimeOffset.UtcNow - seen < Quiet || neighbour.Contains("REACHABLE", StringComparison.Ordinal),
            $"last seen {seen:O}, neighbour entry '{neighbour}': the router's probes were not answered");
    }

    [Fact]
    public async Task A_device_moving_traffic_is_online()
    {
        using var download = lab.StartIn(lab.Laptop.Namespace,
            $"iperf3 -c {LabAddresses.InternetHost} -p {LabAddresses.IperfPort} --connect-timeout 3000 -R -b 10M -t {PresenceFixture.QuietSeconds * 2}", "laptop-download");
        await Task.Delay(2000);
        var until = DateTimeOffset.UtcNow + Quiet * 1.5;
        while (DateTimeOffset.UtcNow < until)
        {
            var d = await Device(lab.Laptop);
            Assert.True(d["online"]!.GetValue<bool>(), $"the laptop showed offline while downloading: {d.ToJsonString()}");
            await Task.Delay(1000);
        }
        download.Stop(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_device_that_is_gone_shows_offline_after_the_quiet_period_and_not_before()
    {
        // The laptop stops answering anything, ARP included, as if unplugged (its own namespace only).
        lab.RunIn(lab.Laptop.Namespace, """
            nft -f - <<'X'
            table arp gone {
            	chain in { type filter hook input priority 0; policy drop; }
            	chain out { type filter hook output priority 0; policy drop; }
            }
            table inet gone {
            	chain in { type filter hook input priority 0; policy drop; }
            	chain out { type filter hook output priority 0; policy drop; }
            }
            X
            """).EnsureOk();
        try
        {
            var deadline = DateTimeOffset.UtcNow + Quiet * 3;
            JsonNode d;
            while (true)
            {
                d = await Device(lab.Laptop);
                var now = DateTimeOffset.UtcNow;
                var seen = d["lastSeen"] is { } s ? DateTimeOffset.Parse((string)s!, CultureInfo.InvariantCulture) : (DateTimeOffset?)null;
                bool online = d["online"]!.GetValue<bool>();
                if (!online)
                {
                    Assert.True(seen is null || now - seen >= Quiet - TimeSpan.FromSeconds(2),
                        $"offline {now - seen} after the last sign, before the quiet period of {Quiet}: {d.ToJsonString()}");
                    break;
                }
                Assert.True(now < deadline, $"still online {Quiet * 3} after it went away: {d.ToJsonString()}");
                await Task.Delay(1000);
            }
        }
        finally { lab.RunIn(lab.Laptop.Namespace, "nft delete table arp gone; nft delete table inet gone"); }

        // Back: its first word to the router is a sign.
        lab.RunIn(lab.Laptop.Namespace, $"ping -n -c 1 -W 2 {LabAddresses.RouterLan}").EnsureOk();
        await lab.WaitFor(async () => (await Device(lab.Laptop))["online"]!.GetValue<bool>(), TimeSpan.FromSeconds(15), "the laptop to show online again");
    }

    [Fact]
    public async Task The_router_itself_is_not_a_device()
    {
        // The router's own router advertisements come back to it and leave a neighbour entry for the
        // bridge's link-local address with the bridge's MAC: the same entry made by hand. Then one of
        // a computer with the WAN port's MAC (an owner may clone a computer's MAC onto the WAN port,
        // and the computer stays on the LAN): once it is listed, the bridge's entry has been passed over.
        string bridgeMac = MacOf("br-lan"), wanMac = MacOf("wan0");
        try
        {
            lab.RunIn(lab.RouterNs, $"ip neigh replace fe80::5:6:7:8 dev br-lan lladdr {bridgeMac} nud stale").EnsureOk();
            lab.RunIn(lab.RouterNs, $"ip neigh replace fe80::a:b dev br-lan lladdr {wanMac} nud stale").EnsureOk();
            await lab.WaitFor(async () => (await Macs()).Contains(wanMac), TimeSpan.FromSeconds(10),
                "the computer with the WAN port's MAC to be listed");
            Assert.DoesNotContain(bridgeMac, await Macs());
        }
        finally
        {
            lab.RunIn(lab.RouterNs, "ip neigh del fe80::5:6:7:8 dev br-lan; ip neigh del fe80::a:b dev br-lan");
        }

        string MacOf(string link) => lab.RunIn(lab.RouterNs, $"ip -br link show {link}").EnsureOk().Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
        async Task<List<string>> Macs() => ((JsonArray)await api.GetJson("/api/devices")).Select(d => (string)d!["mac"]!).ToList();
    }

    async Task<JsonNode> Device(LabClient client) =>
        ((JsonArray)await api.GetJson("/api/devices")).First(d => (string?)d!["mac"] == client.Mac)!;
}
