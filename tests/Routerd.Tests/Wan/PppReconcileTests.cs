using Microsoft.Extensions.Logging.Abstractions;
using Routerd.Core.Devices;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Routerd.Tests.Loop;
using Xunit;
using Routerd.Core.Qos;

namespace Routerd.Tests.Wan;

sealed class FakePpp : IPppClient
{
    public PppdPlan? Plan;
    public int Starts, RedialsNow, HangUps;
    public Action<int, int?, int>? Report;
    public TimeSpan? Wait;
    public int? Pid { get; set; } = 4242;
    public Action<int, int?, int>? Exited { set => Report = value; }
    public void RedialAfter(TimeSpan wait) => Wait = wait;
    public void Apply(PppdPlan? plan)
    {
        if (plan is not null && !plan.SameProcess(Plan)) Starts++;
        Plan = plan;
    }
    public void RedialNow() => RedialsNow++;
    public bool HangUp()
    {
        HangUps++;
        return Plan is not null;
    }
}

public class PppReconcileTests
{
    readonly Board board = new() { WanDevice = "wan0", LanPorts = ["lan1"], RunDir = "/run/r", StateDir = "/var/lib/r" };
    readonly FakeDns dns = new();
    readonly FakeTraffic traffic = new();
    readonly FakeFirewall firewall = new();
    readonly FakePpp ppp = new();
    readonly FakeDhcpClient dhcp = new();
    readonly MemoryStore store = new();
    readonly ManualClock clock = new();
    readonly Router reconciler;

    static readonly PppHookReport Up = new("up", "ppp-wan", "198.51.100.77", "198.51.100.1", "198.51.100.53", null, "02:00:00:00:00:01", "0x0001");

    public PppReconcileTests()
    {
        reconciler = TestRouter.New(board, store, new FakeNetwork("lo", "wan0", "lan1", "br-lan"), firewall, traffic, dns, dhcp, ppp, clock: clock);
        reconciler.Start(p => "hash:" + p);
        var result = reconciler.TryChange(reconciler.Settings with
        {
            Wan = new WanSettings { Mode = WanModes.Pppoe, Device = "wan0", Pppoe = new() { Username = "u@isp", Password = "hunter2-secret" } },
        });
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
    }

    Routerd.Core.Loop.WanStatus Status() => reconciler.Status("t", default).Wan;

    [Fact]
    public void Switching_to_pppoe_starts_pppd_and_stops_the_dhcp_client()
    {
        Assert.Null(dhcp.Plan);
        Assert.Equal(1, ppp.Starts);
        Assert.NotNull(ppp.Report);
        Assert.Equal("wan/CONNECTING", Status().Code);
        Assert.Contains("oifname \"ppp-wan\"", firewall.Loaded);
        Assert.DoesNotContain("dev ppp-wan", traffic.Plan!.Batch);
    }

    [Fact]
    public void A_session_up_points_dnsmasq_at_the_isp_and_puts_the_queues_on_the_ppp_interface()
    {
        reconciler.OnPppEvent(Up);
        var status = reconciler.Status("t", default).Wan;
        Assert.Equal(("wan/UP", "198.51.100.77/32", "0x0001"), (status.Code, status.Address, status.SessionId));
        Assert.Contains("server=198.51.100.53", dns.Config!.Servers);
        Assert.Contains("qdisc add dev ppp-wan root", traffic.Plan!.Batch);

        Assert.Equal(TimeSpan.FromSeconds(2), reconciler.OnPppExit(PppExitStatus.PeerDead));
        Assert.Equal(TimeSpan.FromSeconds(2), ppp.Wait);
        Assert.Equal("wan/PEER_DEAD", Status().Code);
        Assert.DoesNotContain("server=", dns.Config!.Servers);
        Assert.DoesNotContain("dev ppp-wan", traffic.Plan!.Batch);
    }

    [Fact]
    public void A_late_report_of_a_replaced_pppd_is_ignored()
    {
        reconciler.OnPppEvent(Up with { PppdPid = 4242 });
        reconciler.OnPppEvent(new PppHookReport("down", "ppp-wan", null, null, null, null, PppdPid: 1111));
        Assert.Equal("wan/UP", Status().Code);
        reconciler.OnPppEvent(new PppHookReport("down", "ppp-wan", null, null, null, null, PppdPid: 4242));
        Assert.Equal("wan/CONNECTING", Status().Code);
    }

    [Fact]
    public void The_adapter_reports_an_exit_as_an_event_and_the_loop_tells_it_when_to_redial()
    {
        reconciler.OnPppEvent(Up);
        ppp.Pid = null; // pppd is gone
        // pppd said "No response to 4 echo-requests" and then exited 16 (hung up): a dead peer.
        ppp.Report!(PppExitStatus.HungUp, PppExitStatus.PeerDead, 4242);
        reconciler.Sync();
        Assert.Equal("wan/PEER_DEAD", Status().Code);
        Assert.Equal(TimeSpan.FromSeconds(2), ppp.Wait);
    }

    [Fact]
    public void Wrong_password_backs_off()
    {
        var waits = Enumerable.Range(0, 4).Select(_ => reconciler.OnPppExit(PppExitStatus.AuthFailed).TotalSeconds).ToList();
        Assert.Equal([2, 4, 8, 16], waits);
        Assert.Equal("wan/AUTH_FAILED", Status().Code);
    }

    [Fact]
    public void Other_settings_changes_keep_the_session_a_new_account_redials()
    {
        reconciler.OnPppEvent(Up);
        Assert.True(reconciler.TryChange(reconciler.Settings with { Qos = new() { UploadKbit = 10000 } }).Succeeded);
        Assert.Equal(1, ppp.Starts);
        Assert.Equal("wan/UP", Status().Code);
        Assert.Contains("server=198.51.100.53", dns.Config!.Servers);

        var s = reconciler.Settings;
        Assert.True(reconciler.TryChange(s with { Wan = s.Wan with { Pppoe = s.Wan.Pppoe! with { Username = "other@isp" } } }).Succeeded);
        Assert.Equal(2, ppp.Starts);
        Assert.Equal("wan/CONNECTING", Status().Code);
    }

    [Fact]
    public void Carrier_loss_shows_link_down_and_its_return_redials_at_once()
    {
        reconciler.OnWanCarrier("wan0", false);
        Assert.Equal("wan/LINK_DOWN", Status().Code);
        reconciler.OnWanCarrier("wan0", true);
        Assert.Equal(1, ppp.RedialsNow);
        reconciler.OnWanCarrier("lan1", false);
        Assert.Equal("wan/CONNECTING", Status().Code);
    }

    [Fact]
    public void The_password_is_in_no_status_and_no_settings_answer()
    {
        reconciler.OnPppEvent(Up);
        string status = System.Text.Json.JsonSerializer.Serialize(reconciler.Status("t", default), RouterJsonContext.Default.RouterStatus);
        Assert.DoesNotContain("hunter2", status);
        Assert.DoesNotContain("hunter2", RouterJson.WriteSettings(SettingsSecrets.Redact(reconciler.Settings)));
        Assert.Contains("hunter2", ppp.Plan!.SecretOptions.Value);
    }
}
