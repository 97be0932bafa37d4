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
    public static IReadOnlyList<FieldError> Check(bool currentOk, string? newPassword, string? confirm, string username, string defaultPassword)
    {
        var errors = new List<FieldError>();
        if (!currentOk) errors.Add(new("current", "is not the current password"));
        string n = newPassword ?? "";
        if (n.Length < MinLength) errors.Add(new("new", $"must be at least {MinLength} characters"));
        else if (n.Length > MaxLength) errors.Add(new("new", $"must be at most {MaxLength} characters"));
        else if (string.Equals(n, "admin", StringComparison.OrdinalIgnoreCase) || n == defaultPassword)
            errors.Add(new("new", "must not be the default password"));
        else if (string.Equals(n, username, StringComparison.OrdinalIgnoreCase))
            errors.Add(new("new", "must not be the user name"));
        else if (n.Any(char.IsControl))
            errors.Add(new("new", "must not contain control characters"));
        if ((confirm ?? "") != n) errors.Add(new("confirm", "does not match the new password"));
        return errors;
    }
}
