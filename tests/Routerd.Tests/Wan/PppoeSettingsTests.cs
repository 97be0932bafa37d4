using Routerd.Core.Settings;
using Routerd.Core.Wan;
using Xunit;
using Routerd.Core.Qos;

namespace Routerd.Tests.Wan;

public class PppoeSettingsTests
{
    static readonly Board Board = new() { WanDevice = "wan0", LanPorts = ["lan1"] };
    static readonly SystemFacts Facts = new(new HashSet<string> { "lo", "wan0", "lan1", "br-lan" });

    static RouterSettings With(PppoeSettings p) =>
        FirstBoot.Settings(Board, _ => "hash") with { Wan = new WanSettings { Mode = WanModes.Pppoe, Device = "wan0", Pppoe = p } };

    static PppoeSettings Account => new() { Username = "h1234567@isp.example", Password = "secret" };

    [Fact]
    public void Defaults_notice_a_dead_peer_within_15_seconds_and_back_off()
    {
        var plan = DesiredStateBuilder.Build(With(Account), Board, Facts).Wan.Plan<PppoePlan>()!;
        Assert.Equal(1492, plan.Mtu);
        Assert.Null(plan.ParentMtu);
        Assert.True(plan.DeadPeerWindow <= TimeSpan.FromSeconds(15), $"dead peer window {plan.DeadPeerWindow}");
        Assert.True(plan.RedialMax > plan.RedialInitial);
        Assert.Null(plan.ReconnectAt);
    }

    [Fact]
    public void A_schema_2_document_without_the_new_fields_reads_with_their_defaults()
    {
        var s = RouterJson.ReadSettings("""
            { "schemaVersion": 2, "wan": { "mode": "pppoe", "device": "wan0", "pppoe": { "username": "u", "password": "p", "mtu": 1492 } } }
            """);
        Assert.Equal(3, s.Wan.Pppoe!.LcpEchoIntervalSeconds);
        Assert.Equal(3, s.Wan.Pppoe!.LcpEchoFailures);
        Assert.Empty(DesiredStateBuilder.Validate(s with { Lan = s.Lan with { Ports = ["lan1"] } }, Board, Facts));
    }

    [Fact]
    public void Rfc4638_asks_the_port_for_1508_bytes()
    {
        var plan = DesiredStateBuilder.Build(With(Account with { Mtu = 1500 }), Board, Facts).Wan.Plan<PppoePlan>()!;
        Assert.Equal(1508, plan.ParentMtu);
    }

    public static TheoryData<string, PppoeSettings> Bad() => new()
    {
        { "wan.pppoe.username", Account with { Username = "" } },
        { "wan.pppoe.username", Account with { Username = "me\nplugin /tmp/evil.so" } },
        { "wan.pppoe.username", Account with { Username = new string('u', 256) } },
        { "wan.pppoe.password", Account with { Password = null } },
        { "wan.pppoe.password", Account with { Password = "pw\r\nnoauth" } },
        { "wan.pppoe.password", Account with { Password = "tab\there" } },
        { "wan.pppoe.serviceName", Account with { ServiceName = "svc\nip-up-script /tmp/x" } },
        { "wan.pppoe.serviceName", Account with { ServiceName = new string('s', 65) } },
        { "wan.pppoe.acName", Account with { AcName = "ac\u0000" } },
        { "wan.pppoe.mtu", Account with { Mtu = 1501 } },
        { "wan.pppoe.mtu", Account with { Mtu = 500 } },
        { "wan.pppoe.lcpEchoIntervalSeconds", Account with { LcpEchoIntervalSeconds = 0 } },
        { "wan.pppoe.lcpEchoFailures", Account with { LcpEchoFailures = 0 } },
        { "wan.pppoe.redialInitialSeconds", Account with { RedialInitialSeconds = 0 } },
        { "wan.pppoe.redialMaxSeconds", Account with { RedialInitialSeconds = 60, RedialMaxSeconds = 30 } },
        { "wan.pppoe.reconnectAt", Account with { ReconnectAt = "25:00" } },
        { "wan.pppoe.reconnectAt", Account with { ReconnectAt = "4:30\n" } },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_values_are_refused_naming_the_field(string field, PppoeSettings p)
    {
        var errors = DesiredStateBuilder.Validate(With(p), Board, Facts);
        Assert.Contains(errors, e => e.Field == field);
        Assert.DoesNotContain(errors, e => e.Message.Contains('\n'));
    }

    [Fact]
    public void The_password_never_shows_in_the_plan_when_printed()
    {
        var settings = With(Account with { Password = "hunter2-very-secret" });
        Assert.DoesNotContain("hunter2", settings.ToString());
        Assert.Contains("h1234567@isp.example", settings.ToString());
        var state = DesiredStateBuilder.Build(settings, Board, Facts);
        Assert.DoesNotContain("hunter2", state.ToString());
        var pppd = PppdRenderer.Render(state, new(["/usr/bin/routerd"], "/run/routerd/routerd.sock"))!;
        Assert.DoesNotContain("hunter2", pppd.ToString());
        Assert.DoesNotContain("hunter2", pppd.Options);
        Assert.DoesNotContain("hunter2", string.Join(' ', pppd.Arguments));
        Assert.Contains("hunter2", pppd.SecretOptions.Value);
    }

    [Fact]
    public void The_api_view_of_the_settings_has_no_password()
    {
        var s = With(Account with { Password = "hunter2-very-secret" });
        Assert.DoesNotContain("hunter2", RouterJson.WriteSettings(SettingsSecrets.Redact(s)));
    }
}
