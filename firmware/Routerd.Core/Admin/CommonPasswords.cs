using System.Reflection;

namespace Routerd.Core.Admin;

/// <summary>The bundled list of the most common passwords (common-passwords.md says where it
/// comes from). It is read from the assembly on each check rather than kept in memory: a
/// password change is rare, and 11,611 strings held for ever would cost ~700 KB of RSS on a
/// router for a check that takes about a millisecond.</summary>
public static class CommonPasswords
{
    const string Resource = "common-passwords.txt";

    /// <summary>Whether <paramref name="password"/> (any case) is on the list.</summary>
    public static bool Contains(string password)
    {
        string wanted = password.ToLowerInvariant();
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"the resource {Resource} is missing from {typeof(CommonPasswords).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
            if (line == wanted) return true;
        return false;
    }

    /// <summary>How many passwords the list holds (tests: NIST asks for a list of this kind to be large).</summary>
    public static int Count()
    {
        using var reader = new StreamReader(typeof(CommonPasswords).Assembly.GetManifestResourceStream(Resource)!);
        int n = 0;
        while (reader.ReadLine() is not null) n++;
        return n;
    }
}
