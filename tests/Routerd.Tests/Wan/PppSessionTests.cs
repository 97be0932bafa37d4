using Routerd.Core.Wan;
using Routerd.Tests.Loop;
using Xunit;

namespace Routerd.Tests.Wan;

public class PppSessionTests
{
    static readonly PppoePlan Plan = new("u", new Secret("p"), null, null, 1492, 3, 3, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), new TimeOnly(4, 30));
    static readonly PppHookReport UpReport = new("up", "ppp-wan", "198.51.100.77", "198.51.100.1", "198.51.100.53", "junk\nserver=1.2.3.4", "02:00:00:00:00:01", "0x0001");

    /// <summary>The reconnect time is router local time: UTC here, whatever the test machine's zone.</summary>
    readonly ManualClock clock = new() { Zone = TimeZoneInfo.Utc };

    [Theory]
    [InlineData(19, "wan/AUTH_FAILED")]
    [InlineData(15, "wan/PEER_DEAD")]
    [InlineData(8, "wan/NO_SERVER")]
    [InlineData(16, "wan/CONNECTING")]
    [InlineData(10, "wan/CONNECTING")]
    [InlineData(4, "wan/NO_PPP")]
    [InlineData(1, "wan/CONNECTING")]
    public void Exit_status_becomes_the_code(int status, string code)
    {
        var s = new PppSession(clock);
        s.Exited(status, Plan);
        Assert.Equal(code, s.Code);
        Assert.NotNull(s.Message);
    }

    [Fact]
    public void Failed_dials_back_off_doubling_up_to_the_maximum_and_a_good_session_starts_over()
    {
        var s = new PppSession(clock);
        var waits = Enumerable.Range(0, 8).Select(_ => s.Exited(PppExitStatus.AuthFailed, Plan).TotalSeconds).ToList();
        Assert.Equal([2, 4, 8, 16, 32, 60, 60, 60], waits);
        s.Up(UpReport);
        Assert.Equal(2, s.Exited(PppExitStatus.PeerDead, Plan).TotalSeconds);
        Assert.Equal(4, s.Exited(PppExitStatus.ConnectFailed, Plan).TotalSeconds);
    }

    [Fact]
    public void Up_parses_strictly_and_drops_what_is_not_an_address()
    {
        var s = new PppSession(clock);
        var lease = s.Up(UpReport);
        Assert.Equal("198.51.100.77/32", lease.Address.ToString());
        Assert.Equal(["198.51.100.53"], lease.Dns);
        Assert.Equal("wan/UP", s.Code);
        Assert.Equal("0x0001", s.SessionId);
        clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(90, s.UptimeSeconds);
        Assert.Throws<FormatException>(() => s.Up(UpReport with { Local = "1.2.3.4; reboot" }));
        Assert.Throws<FormatException>(() => s.Up(UpReport with { Interface = "eth0" }));
    }

    [Fact]
    public void No_carrier_wins_and_its_return_resets_the_backoff()
    {
        var s = new PppSession(clock);
        s.Up(UpReport);
        Assert.False(s.CarrierChanged(false));
        Assert.Equal("wan/LINK_DOWN", s.Code);
        Assert.Equal(Plan.RedialMax, s.Exited(PppExitStatus.PeerDead, Plan));
        Assert.Equal("wan/LINK_DOWN", s.Code);
        Assert.True(s.CarrierChanged(true));
        Assert.Equal("wan/PEER_DEAD", s.Code);
        Assert.Equal(2, s.Exited(PppExitStatus.ConnectFailed, Plan).TotalSeconds);
    }

    [Fact]
    public void The_daily_reconnect_comes_once_at_its_time_for_a_session_old_enough()
    {
        var s = new PppSession(clock);
        clock.Advance(TimeSpan.FromHours(14)); // 02:00 next day
        s.Up(UpReport);
        Assert.False(s.ReconnectDue(Plan));
        clock.Advance(TimeSpan.FromMinutes(150)); // 04:30
        Assert.True(s.ReconnectDue(Plan));
        Assert.Equal(TimeSpan.Zero, s.Exited(5, Plan));
        s.Up(UpReport);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(s.ReconnectDue(Plan)); // once a day, and this session is young anyway
    }

    [Fact]
    public void Uptime_and_the_reconnects_minimum_age_do_not_jump_when_ntp_steps_the_date()
    {
        var s = new PppSession(clock);
        clock.Advance(TimeSpan.FromMinutes(15 * 60 + 31)); // 03:31 next day
        s.Up(UpReport);
        clock.StepWall(TimeSpan.FromDays(365) + TimeSpan.FromHours(1)); // NTP: 04:31 a year later
        Assert.Equal(0, s.UptimeSeconds);
        Assert.False(s.ReconnectDue(Plan)); // in the window, but the session is a minute old, not a year
        clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(90, s.UptimeSeconds);
    }

    [Theory]
    [InlineData("Id       Address              Device\n00000100 02:00:00:00:00:01     wan0\n", "wan0", "02:00:00:00:00:01", "0x0001")]
    [InlineData("Id       Address              Device\n0000ab12 02:00:00:00:00:01     wan0\n", "wan0", "02:00:00:00:00:01", "0x12ab")]
    [InlineData("Id       Address              Device\n00000100 02:00:00:00:00:01     wan1\n", "wan0", "02:00:00:00:00:01", null)]
    [InlineData("Id       Address              Device\n", "wan0", "02:00:00:00:00:01", null)]
    [InlineData("garbage", "wan0", "02:00:00:00:00:01", null)]
    [InlineData("Id\nFFFFFFFFFF 02:00:00:00:00:01 wan0\n", "wan0", "02:00:00:00:00:01", null)]
    public void The_session_id_comes_from_the_kernel_table(string table, string device, string mac, string? id) =>
        Assert.Equal(id, PppoeSessions.Find(table, device, mac));
}

public class PppdLogTests
{
    [Theory]
    [InlineData("No response to 3 echo-requests", 15)]
    [InlineData("Serial link appears to be disconnected.", 15)]
    [InlineData("Modem hangup", null)]
    [InlineData("CHAP authentication failed: Access denied", 19)]
    [InlineData("PAP authentication failed", 19)]
    [InlineData("CHAP authentication succeeded", null)]
    // pppd 2.4.9 on a kernel without PPP, before it exits with 1.
    [InlineData("Couldn't open the /dev/ppp device: No such file or directory", 4)]
    [InlineData("Linux kernel does not support PPPoE -- are you running 2.4.x?", 4)]
    public void Lines_that_announce_why_the_session_ends(string line, int? status) => Assert.Equal(status, PppdLog.Announces(line));

    [Fact]
    public void A_hangup_after_an_announced_dead_peer_was_the_dead_peer()
    {
        Assert.Equal(15, PppdLog.Effective(16, 15));
        Assert.Equal(16, PppdLog.Effective(16, null));
        Assert.Equal(19, PppdLog.Effective(16, 19));
        Assert.Equal(19, PppdLog.Effective(19, 15));
    }

    [Fact]
    public void A_start_failure_after_no_dev_ppp_is_a_system_without_ppp()
    {
        Assert.Equal(4, PppdLog.Effective(1, 4));
        Assert.Equal(1, PppdLog.Effective(1, null));
    }
}
