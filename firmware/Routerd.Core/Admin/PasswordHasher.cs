using System.Security.Cryptography;
using System.Text;

namespace Routerd.Core.Admin;

/// <summary>Slow salted password hashes: PBKDF2-HMAC-SHA256, stored as
/// "pbkdf2-sha256$iterations$salt$hash" (base64) so the cost can grow without breaking old hashes.
/// The one exception is the board's default password (<see cref="HashDefault"/>).</summary>
public static class PasswordHasher
{
    /// <summary>OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int Iterations = 600_000;
    const string Scheme = "pbkdf2-sha256", DefaultScheme = "board-default-sha256";

    /// <summary>The stored form of the board's default password, which first boot and a factory
    /// reset write ("board-default-sha256$digest"). That password is public (the manual names it)
    /// and the first login must replace it, so a slow hash would protect nothing; it only delayed
    /// every first boot before the web UI answered: 0.46 s of a core here, ~9 s of an emulated
    /// boot (the image benchmark's first boots, TCG). SHA-256 keeps the text out of the file.</summary>
    public static string HashDefault(string password) => $"{DefaultScheme}${Convert.ToBase64String(DefaultDigest(password))}";

    static byte[] DefaultDigest(string password) => SHA256.HashData(Encoding.UTF8.GetBytes(password));

    public static string Hash(string password, int iterations = Iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts is [DefaultScheme, var digest])
        {
            try { return CryptographicOperations.FixedTimeEquals(DefaultDigest(password), Convert.FromBase64String(digest)); }
            catch (FormatException) { return false; }
        }
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out int iterations) || iterations < 1) return false;
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException) { return false; }
    }
}
