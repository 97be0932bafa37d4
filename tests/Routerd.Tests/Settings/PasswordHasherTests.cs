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

    /// <summary>OWASP's floor for PBKDF2-HMAC-SHA256; the stored cost travels with each hash.</summary>
    [Fact]
    public void The_default_cost_is_high() => Assert.True(PasswordHasher.Iterations >= 600_000);
}
