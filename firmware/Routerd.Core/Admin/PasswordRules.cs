using Routerd.Core.Settings;

namespace Routerd.Core.Admin;

/// <summary>PUT /api/admin/password: the current password, the new one twice. Shared rules so
/// the API names the exact field that is wrong (EN 303 645 5.1-1: the default must not survive).</summary>
public static class PasswordRules
{
    public const int MinLength = 8;
    public const int MaxLength = 128;

    /// <summary>Field errors for the new password and its confirmation; <paramref name="currentOk"/>
    /// says whether the current password was verified (that check is slow, the caller does it).</summary>
    /// <param name="context">words an attacker would try first on this router, each with what it
    /// is ("the Wi-Fi name"): NIST SP 800-63B 5.1.1.2's context-specific words. The user name is one.</param>
    public static IReadOnlyList<FieldError> Check(bool currentOk, string? newPassword, string? confirm, string username, string defaultPassword,
        IReadOnlyList<(string Word, string What)>? context = null)
    {
        var errors = new List<FieldError>();
        if (!currentOk) errors.Add(new("current", "is not the current password"));
        string n = newPassword ?? "";
        string core = Core(n);
        if (n.Length < MinLength) errors.Add(new("new", $"must be at least {MinLength} characters"));
        else if (n.Length > MaxLength) errors.Add(new("new", $"must be at most {MaxLength} characters"));
        else if (string.Equals(n, "admin", StringComparison.OrdinalIgnoreCase) || n == defaultPassword)
            errors.Add(new("new", "must not be the default password"));
        else if (n.Any(char.IsControl))
            errors.Add(new("new", "must not contain control characters"));
        else if (ContextWord(n, core, [(username, "the user name"), .. context ?? []]) is { } what)
            errors.Add(new("new", $"This is {what}, or it with digits or symbols added: choose a password nobody can guess from the router."));
        else if (CommonPasswords.Contains(n) || core.Length >= MinLength && CommonPasswords.Contains(core))
            errors.Add(new("new", "This is one of the most common passwords, which attackers try first: choose another."));
        if ((confirm ?? "") != n) errors.Add(new("confirm", "does not match the new password"));
        return errors;
    }

    /// <summary>What the password is, when it is one of the words or one of them with digits and
    /// symbols around it (words under 4 characters only when they are the whole password).</summary>
    static string? ContextWord(string password, string core, IReadOnlyList<(string Word, string What)> words) =>
        words.FirstOrDefault(w => w.Word.Length > 0 && (string.Equals(password, w.Word, StringComparison.OrdinalIgnoreCase) ||
            w.Word.Length >= 4 && string.Equals(core, w.Word, StringComparison.OrdinalIgnoreCase))).What;

    /// <summary>The password without the digits and symbols people add at its ends to pass a rule
    /// ("password123!" is "password").</summary>
    static string Core(string password) => password.Trim(" 0123456789!@#$%^&*()-_=+.,;:?/\\|'\"`~<>[]{}".ToCharArray());
}
