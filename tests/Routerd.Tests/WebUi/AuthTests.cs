using System.Net;
using Routerd.Core.Admin;
using Routerd.Core.Settings;
using Routerd.Tests.Loop;
using Routerd.WebUi.Auth;
using Xunit;

namespace Routerd.Tests.WebUi;

public class SessionStoreTests
{
    readonly ManualClock clock = new();

    [Fact]
    public void Tokens_are_256_random_bits_and_never_repeat()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => SessionStore.NewToken()).ToList();
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
        Assert.All(tokens, t => Assert.Equal(32, Convert.FromBase64String(t.Replace('-', '+').Replace('_', '/') + "=").Length));
    }

    [Fact]
    public void A_session_lives_while_used_and_ends_after_the_idle_timeout()
    {
        var store = new SessionStore(clock, TimeSpan.FromMinutes(30));
        var s = store.Create("admin");
        Assert.NotEqual(s.Id, s.CsrfToken);
        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Same(s, store.Touch(s.Id));
        clock.Advance(TimeSpan.FromMinutes(29)); // 58 min after login, but 29 after last use
        Assert.Same(s, store.Touch(s.Id));
        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Null(store.Touch(s.Id));
        Assert.Equal(0, store.Count);
    }

    [Theory]
    [InlineData(3650)] // NTP sets a Pi's stale boot date right: years forward
    [InlineData(-3650)] // the owner or an ISP's server sets it back
    public void Idleness_is_timed_by_the_monotonic_clock_not_the_date(int days)
    {
        var store = new SessionStore(clock, TimeSpan.FromMinutes(30));
        var (used, idle) = (store.Create("admin"), store.Create("admin"));
        clock.StepWall(TimeSpan.FromDays(days));
        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Same(used, store.Touch(used.Id)); // a step forward does not log the owner out
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(store.Touch(idle.Id)); // nor does a step back keep an idle session for years
    }

    [Fact]
    public void Unknown_or_empty_cookies_find_no_session()
    {
        var store = new SessionStore(clock, TimeSpan.FromMinutes(30));
        store.Create("admin");
        Assert.Null(store.Touch(null));
        Assert.Null(store.Touch(""));
        Assert.Null(store.Touch(SessionStore.NewToken()));
    }

    [Fact]
    public void Logout_and_password_change_end_sessions()
    {
        var store = new SessionStore(clock, TimeSpan.FromMinutes(30));
        var a = store.Create("admin");
        var b = store.Create("admin");
        var c = store.Create("admin");
        store.Remove(a.Id);
        Assert.Null(store.Touch(a.Id));
        store.RemoveAllExcept(b.Id);
        Assert.Same(b, store.Touch(b.Id));
        Assert.Null(store.Touch(c.Id));
        store.RemoveAllExcept(null);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void The_csrf_token_must_match_exactly()
    {
        var s = new SessionStore(clock, TimeSpan.FromMinutes(30)).Create("admin");
        Assert.True(s.CsrfMatches(s.CsrfToken));
        Assert.False(s.CsrfMatches(null));
        Assert.False(s.CsrfMatches(""));
        Assert.False(s.CsrfMatches(s.CsrfToken[..^1]));
        Assert.False(s.CsrfMatches(s.Id));
    }

    [Fact]
    public void Logging_in_in_a_loop_keeps_memory_bounded()
    {
        var store = new SessionStore(clock, TimeSpan.FromMinutes(30));
        var first = store.Create("admin");
        for (int i = 0; i < SessionStore.MaxSessions * 3; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            store.Create("admin");
        }
        Assert.Equal(SessionStore.MaxSessions, store.Count);
        Assert.Null(store.Touch(first.Id));
    }

    [Theory]
    [InlineData("GET", false)]
    [InlineData("HEAD", false)]
    [InlineData("OPTIONS", false)]
    [InlineData("POST", true)]
    [InlineData("PUT", true)]
    [InlineData("DELETE", true)]
    [InlineData("PATCH", true)]
    public void Every_method_but_reads_needs_the_csrf_token(string method, bool changing) =>
        Assert.Equal(changing, ApiGuard.IsStateChanging(method));
}

public class LoginThrottleTests
{
    readonly ManualClock clock = new();
    static readonly IPAddress Phone = IPAddress.Parse("192.168.1.100");
    static readonly IPAddress Laptop = IPAddress.Parse("192.168.1.101");

    [Fact]
    public void The_default_policy_is_real()
    {
        var policy = new LoginThrottleBoard();
        var t = new LoginThrottle(clock, policy);
        Assert.Equal(TimeSpan.Zero, t.Delay(policy.FreeFailures));
        Assert.True(t.Delay(policy.FreeFailures + 1) >= TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMinutes(5), t.Delay(20));
    }

    [Fact]
    public void Waits_grow_after_the_free_failures_and_are_capped()
    {
        var t = new LoginThrottle(clock, new LoginThrottleBoard { FreeFailures = 3, FirstDelaySeconds = 2, MaxDelaySeconds = 60 });
        var delays = Enumerable.Range(1, 10).Select(n => t.Delay(n).TotalSeconds).ToList();
        Assert.Equal([0, 0, 0, 2, 4, 8, 16, 32, 60, 60], delays);
        Assert.Equal(TimeSpan.FromSeconds(60), t.Delay(int.MaxValue));
    }

    [Fact]
    public void A_client_waits_after_failures_and_other_clients_do_not()
    {
        var t = new LoginThrottle(clock, new LoginThrottleBoard { FreeFailures = 2, FirstDelaySeconds = 1, MaxDelaySeconds = 10 });
        Assert.Equal(TimeSpan.Zero, t.Failed(Phone));
        Assert.Equal(TimeSpan.Zero, t.Failed(Phone));
        Assert.Equal(TimeSpan.Zero, t.Wait(Phone));
        Assert.Equal(TimeSpan.FromSeconds(1), t.Failed(Phone));
        Assert.Equal(TimeSpan.FromSeconds(1), t.Wait(Phone));
        Assert.Equal(TimeSpan.Zero, t.Wait(Laptop));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, t.Wait(Phone));
        Assert.Equal(TimeSpan.FromSeconds(2), t.Failed(Phone));
    }

    [Theory]
    [InlineData(3650)]
    [InlineData(-3650)]
    public void A_wait_lasts_its_time_whatever_happens_to_the_date(int days)
    {
        var t = new LoginThrottle(clock, new LoginThrottleBoard { FreeFailures = 0, FirstDelaySeconds = 4, MaxDelaySeconds = 60 });
        Assert.Equal(TimeSpan.FromSeconds(4), t.Failed(Phone));
        clock.StepWall(TimeSpan.FromDays(days));
        // A step forward does not lift a guesser's wait; a step back does not lock the owner out for years.
        Assert.Equal(TimeSpan.FromSeconds(4), t.Wait(Phone));
        Assert.False(t.TryReserve(Phone, out _, out _));
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.Zero, t.Wait(Phone));
        Assert.True(t.TryReserve(Phone, out _, out _));
    }

    [Fact]
    public void The_right_password_after_the_wait_clears_the_record()
    {
        var t = new LoginThrottle(clock, new LoginThrottleBoard { FreeFailures = 0, FirstDelaySeconds = 1, MaxDelaySeconds = 10 });
        for (int i = 0; i < 5; i++) t.Failed(Phone);
        t.Succeeded(Phone);
        Assert.Equal(TimeSpan.Zero, t.Wait(Phone));
        Assert.Equal(TimeSpan.FromSeconds(1), t.Failed(Phone));
    }

    [Fact]
    public void The_control_socket_is_never_throttled()
    {
        var t = new LoginThrottle(clock, new LoginThrottleBoard { FreeFailures = 0 });
        Assert.Equal(TimeSpan.Zero, t.Failed(null));
        Assert.Equal(TimeSpan.Zero, t.Wait(null));
    }

    [Fact]
    public void Address_hopping_keeps_memory_bounded()
    {
        var t = new LoginThrottle(clock, new LoginThrottleBoard { FreeFailures = 0, FirstDelaySeconds = 100, MaxDelaySeconds = 100 });
        for (int i = 0; i < LoginThrottle.MaxClients + 10; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            t.Failed(new IPAddress(BitConverter.GetBytes(0x0a000000 + i)));
        }
        // The oldest record went to make room; the newest is still there.
        Assert.Equal(LoginThrottle.MaxClients, t.ClientsTracked);
        Assert.False(t.Tracks(new IPAddress(BitConverter.GetBytes(0x0a000000))));
        Assert.True(t.Tracks(new IPAddress(BitConverter.GetBytes(0x0a000000 + LoginThrottle.MaxClients + 9))));
        // ...and hopping does not escape the overall record.
        Assert.True(t.Wait(new IPAddress(BitConverter.GetBytes(0x0a000000))) > TimeSpan.Zero);
    }

    [Fact]
    public void Parallel_attempts_are_reserved_before_the_hash_and_get_no_extra_guesses()
    {
        var t = new LoginThrottle(clock, new LoginThrottleBoard { FreeFailures = 3, FirstDelaySeconds = 2, MaxDelaySeconds = 60 });
        // 25 requests in flight at once: none has finished its hash when the next is reserved.
        int allowed = 0;
        for (int i = 0; i < 25; i++)
            if (t.TryReserve(Phone, out _, out _)) allowed++;
        // Exactly what sequential attempts get: 3 free failures and the 4th that earns the wait.
        Assert.Equal(4, allowed);
        Assert.False(t.TryReserve(Phone, out var wait, out _));
        Assert.Equal(TimeSpan.FromSeconds(2), wait);
        Assert.True(t.TryReserve(Laptop, out _, out _), "another client is not slowed down");
    }

    [Fact]
    public void A_reserved_attempt_with_the_right_password_is_forgiven()
    {
        var t = new LoginThrottle(clock, new LoginThrottleBoard { FreeFailures = 1, FirstDelaySeconds = 2, MaxDelaySeconds = 60 });
        Assert.True(t.TryReserve(Phone, out _, out var earned));
        Assert.Equal(TimeSpan.Zero, earned);
        t.Succeeded(Phone);
        Assert.True(t.TryReserve(Phone, out _, out earned));
        Assert.Equal(TimeSpan.Zero, earned);
        Assert.True(t.TryReserve(Phone, out _, out earned));
        Assert.Equal(TimeSpan.FromSeconds(2), earned);
    }

    [Fact]
    public void Many_addresses_together_are_throttled_overall()
    {
        var t = new LoginThrottle(clock, new LoginThrottleBoard { FreeFailures = 3, FirstDelaySeconds = 2, MaxDelaySeconds = 60 });
        int allowed = 0;
        for (int i = 0; i < 200; i++)
            if (t.TryReserve(new IPAddress(BitConverter.GetBytes(0x0a000000 + i)), out _, out _)) allowed++;
        Assert.Equal(3 * LoginThrottle.OverallFactor + 1, allowed);
    }
}

public class PasswordRulesTests
{
    static IReadOnlyList<string> Fields(bool currentOk, string? n, string? c) =>
        PasswordRules.Check(currentOk, n, c, "admin", "admin").Select(e => e.Field).ToList();

    [Fact]
    public void A_good_change_passes() => Assert.Empty(Fields(true, "correct horse", "correct horse"));

    [Theory]
    [InlineData(false, "correct horse", "correct horse", "current")]
    [InlineData(true, "short", "short", "new")]
    [InlineData(true, "", "", "new")]
    [InlineData(true, null, null, "new")]
    [InlineData(true, "correct horse", "correct hors", "confirm")]
    [InlineData(true, "line\nbreak!", "line\nbreak!", "new")]
    public void Each_refusal_names_its_field(bool currentOk, string? n, string? c, string field) =>
        Assert.Equal([field], Fields(currentOk, n, c));

    [Fact]
    public void Neither_the_default_password_nor_the_user_name_is_accepted()
    {
        Assert.Equal(["new"], PasswordRules.Check(true, "changeme1", "changeme1", "admin", "changeme1").Select(e => e.Field));
        Assert.Equal(["new"], PasswordRules.Check(true, "Operator1", "Operator1", "operator1", "admin").Select(e => e.Field));
    }

    [Theory]
    [InlineData("password")]       // the list's most common 8-character entries
    [InlineData("Sunshine")]       // any case
    [InlineData("iloveyou")]
    [InlineData("password123!")]   // digits and symbols at the ends do not make it another password
    [InlineData("!!Football2024")]
    public void The_most_common_passwords_are_refused(string password)
    {
        var errors = PasswordRules.Check(true, password, password, "admin", "admin");
        Assert.Equal("new", Assert.Single(errors).Field);
        Assert.Contains("most common passwords", errors[0].Message);
    }

    [Fact]
    public void The_bundled_list_holds_at_least_the_ten_thousand_nist_asks_for() =>
        Assert.True(CommonPasswords.Count() >= 10_000, $"{CommonPasswords.Count()} passwords");

    [Theory]
    [InlineData("HomeNet-5G", "the Wi-Fi name")]
    [InlineData("homenet-5g2024", "the Wi-Fi name")]
    [InlineData("routerd!", "the router's name")]
    [InlineData("admin12345", "the user name")]
    public void The_routers_own_names_are_refused(string password, string what)
    {
        var errors = PasswordRules.Check(true, password, password, "admin", "changeme", [("HomeNet-5G", "the Wi-Fi name"), ("routerd", "the router's name")]);
        Assert.StartsWith($"This is {what}, or it with digits", Assert.Single(errors).Message);
    }

    [Theory]
    [InlineData("correct horse")]
    [InlineData("sunny-meadow-42")]
    [InlineData("x1234567-blue")]   // a short Wi-Fi name ("x") inside is no reason to refuse
    public void Uncommon_passwords_pass(string password) =>
        Assert.Empty(PasswordRules.Check(true, password, password, "admin", "changeme", [("x", "the Wi-Fi name"), ("routerd", "the router's name")]));
}
