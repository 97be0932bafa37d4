using Routerd.Core.Admin;
using Xunit;

namespace Routerd.Tests.Settings;

public class PasswordHasherTests
{
    [Fact]
    public void Hash_verifies_only_the_right_password_and_is_salted()
    {
        var a = PasswordHasher.Hash("correct horse", iterations: 1000);
        var b = PasswordHasher.Hash("correct horse", iterations: 1000);
        Assert.NotEqual(a, b);
        Assert.True(PasswordHasher.Verify("correct horse", a));
        Assert.False(PasswordHasher.Verify("correct horsE", a));
        Assert.False(PasswordHasher.Verify("x", "not-a-hash"));
        Assert.StartsWith("pbkdf2-sha256$1000$", a);
    }

    /// <summary>First boot stores the board's public default password without the slow hash
    /// (it cost every first boot ~9 s of emulated CPU before the web UI answered); it still
    /// verifies only that password, and its text is not in what is stored.</summary>
    [Fact]
    public void The_board_default_verifies_only_itself_and_is_not_stored_as_text()
    {
        var stored = PasswordHasher.HashDefault("admin");
        Assert.True(PasswordHasher.Verify("admin", stored));
        Assert.False(PasswordHasher.Verify("Admin", stored));
        Assert.False(PasswordHasher.Verify("", stored));
        Assert.DoesNotContain("admin", stored);
        Assert.StartsWith("board-default-sha256$", stored);
        Assert.False(PasswordHasher.Verify("admin", "board-default-sha256$not base64!"));
        Assert.False(PasswordHasher.Verify("admin", "board-default-sha256$" + Convert.ToBase64String(new byte[31])));
    }

    /// <summary>OWASP's floor for PBKDF2-HMAC-SHA256; the stored cost travels with each hash.</summary>
    [Fact]
    public void The_default_cost_is_high() => Assert.True(PasswordHasher.Iterations >= 600_000);
}
