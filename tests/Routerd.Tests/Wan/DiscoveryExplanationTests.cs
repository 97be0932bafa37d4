using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Routerd.Tests.Loop;
using Xunit;

namespace Routerd.Tests.Wan;

/// <summary>pppd says only "no access concentrator" (exit 8) when the one on the cable offers
/// another service or has another name: a probe for any service tells the owner which.</summary>
public class DiscoveryExplanationTests
{
    static PppoePlan Plan(string? service = null, string? ac = null)
    {
        var errors = new List<FieldError>();
        var plan = PppoeRules.Build(new PppoeSettings { Username = "u@isp", Password = "pw", ServiceName = service, AcName = ac }, errors);
        Assert.Empty(errors);
        return plan!;
    }

    static WanDetection Found(params PppoeOffer[] offers) => new("wan0", WanModes.Pppoe, null, offers, 3000, offers.Length > 0 ? 1 : null);
    static readonly PppoeOffer Bras = new("02:00:00:00:00:0a", "lab-bras", ["ISP-A"], null);

    [Fact]
    public void Another_service_is_named_with_who_offers_it()
    {
        var why = DiscoveryExplanation.Explain(Plan(service: "ISP-B"), Found(Bras));
        Assert.Equal((WanCodes.WrongService, "\"lab-bras\" answers but offers the service \"ISP-A\", not \"ISP-B\""), why);
    }

    [Fact]
    public void Another_access_concentrator_is_named()
    {
        var why = DiscoveryExplanation.Explain(Plan(ac: "bras-7"), Found(Bras));
        Assert.Equal((WanCodes.WrongAc, "the access concentrator \"bras-7\" does not answer; \"lab-bras\" answers instead"), why);
    }

    [Fact]
    public void The_wanted_service_is_looked_for_at_the_wanted_ac_only()
    {
        var other = new PppoeOffer("02:00:00:00:00:0b", "other-bras", ["ISP-B"], null);
        var why = DiscoveryExplanation.Explain(Plan(service: "ISP-B", ac: "lab-bras"), Found(Bras, other));
        Assert.Equal(WanCodes.WrongService, why?.Code);
        Assert.StartsWith("\"lab-bras\" answers but offers the service \"ISP-A\"", why?.Message);
    }

    [Fact]
    public void Nothing_is_added_when_nobody_answers_or_an_answer_matches()
    {
        Assert.Null(DiscoveryExplanation.Explain(Plan(service: "ISP-B"), Found()));
        Assert.Null(DiscoveryExplanation.Explain(Plan(service: "ISP-A", ac: "lab-bras"), Found(Bras)));
    }

    [Fact]
    public void An_ac_that_names_no_service_is_said_so()
    {
        var anyService = new PppoeOffer("02:00:00:00:00:0c", null, [""], null);
        var why = DiscoveryExplanation.Explain(Plan(service: "ISP-B"), Found(anyService));
        Assert.Equal("an access concentrator (02:00:00:00:00:0c) answers but offers no named service, not \"ISP-B\"", why?.Message);
    }

    [Fact]
    public void The_loop_probes_after_a_silent_discovery_and_the_status_says_why()
    {
        var ppp = new FakePpp();
        var asked = new List<string>();
        var router = TestRouter.New(new Board { WanDevice = "wan0", LanPorts = ["lan1"], RunDir = "/run/r", StateDir = "/var/lib/r" },
            network: new FakeNetwork("lo", "wan0", "lan1", "br-lan"), ppp: ppp,
            discover: (device, _) => { lock (asked) asked.Add(device); return Found(Bras); });
        router.Start(p => "hash:" + p);
        var result = router.TryChange(router.Settings with
        {
            Wan = new WanSettings { Mode = WanModes.Pppoe, Device = "wan0", Pppoe = new() { Username = "u@isp", Password = "pw", ServiceName = "ISP-B" } },
        });
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));

        router.OnPppExit(PppExitStatus.ConnectFailed);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (router.Status("t", default).Wan.Code == WanCodes.NoServer && DateTime.UtcNow < deadline) Thread.Sleep(10);

        var wan = router.Status("t", default).Wan;
        Assert.Equal(WanCodes.WrongService, wan.Code);
        Assert.Contains("offers the service \"ISP-A\", not \"ISP-B\"", wan.Message);
        lock (asked) Assert.Equal(["wan0"], asked);
    }

    [Fact]
    public void Without_a_named_service_or_ac_no_probe_is_sent()
    {
        var ppp = new FakePpp();
        int probes = 0;
        var router = TestRouter.New(new Board { WanDevice = "wan0", LanPorts = ["lan1"], RunDir = "/run/r", StateDir = "/var/lib/r" },
            network: new FakeNetwork("lo", "wan0", "lan1", "br-lan"), ppp: ppp,
            discover: (_, _) => { Interlocked.Increment(ref probes); return Found(Bras); });
        router.Start(p => "hash:" + p);
        Assert.True(router.TryChange(router.Settings with
        {
            Wan = new WanSettings { Mode = WanModes.Pppoe, Device = "wan0", Pppoe = new() { Username = "u@isp", Password = "pw" } },
        }).Succeeded);
        router.OnPppExit(PppExitStatus.ConnectFailed);
        Thread.Sleep(200);
        router.Sync();
        Assert.Equal(0, Volatile.Read(ref probes));
        Assert.Equal(WanCodes.NoServer, router.Status("t", default).Wan.Code);
    }
}
