using System.Text;

namespace Routerd.Core.Settings;

/// <summary>Checks shared by every field that reaches a config file or a command line.</summary>
public static class TextRules
{
    /// <summary>A refused value echoed in a message, without the characters that made it bad.</summary>
    public static string Printable(string value) =>
        new(value.Take(32).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    /// <summary>A control character (newline above all) is how a value escapes its line in a
    /// config file: such values are refused, never escaped.</summary>
    public static bool HasControlCharacter(string value)
    {
        foreach (var rune in value.EnumerateRunes())
            if (Rune.IsControl(rune) || rune.Value is 0x2028 or 0x2029 or 0x85) return true;
        return false;
    }

    /// <summary>Interface names as the kernel accepts them (IFNAMSIZ 16 with the NUL) and never
    /// anything a shell or a config parser would read specially.</summary>
    public static bool IsInterfaceName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 15 || name is "." or "..") return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@')) return false;
        return true;
    }

    /// <summary>A DNS host label (RFC 1123): what a static lease may name its device.</summary>
    public static bool IsHostname(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 63 || name[0] == '-' || name[^1] == '-') return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        return true;
    }
}
