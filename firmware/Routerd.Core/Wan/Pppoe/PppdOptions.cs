using System.Text;

namespace Routerd.Core.Wan;

/// <summary>pppd's options-file syntax (pppd(8), OPTIONS FILES): words split at whitespace, a
/// double-quoted word may hold whitespace, a backslash quotes the next character (and inside a
/// word turns letters like n or t into control characters), '#' starts a comment outside quotes.
/// Every value we write goes through <see cref="Word"/>, so it stays one word of its own option.</summary>
public static class PppdOptions
{
    /// <summary>The value as one double-quoted word: backslash and double quote are escaped,
    /// everything else is literal inside the quotes (whitespace and '#' included). Control
    /// characters cannot be represented safely and are refused (validation rejects them first).</summary>
    public static string Word(string value)
    {
        var b = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085')
                throw new ArgumentException("a control character cannot be written into pppd's options", nameof(value));
            if (c is '\\' or '"') b.Append('\\');
            b.Append(c);
        }
        return b.Append('"').ToString();
    }
}
