using System.Text;

namespace Routerd.Platform.Hostapd;

/// <summary>How hostapd and wpa_supplicant print an SSID in their control-interface replies
/// (printf_encode in their common utils): printable ASCII as is, quote and backslash escaped,
/// a few C escapes, every other byte as \xNN. Lets routerd compare what hostapd runs with what
/// it was given, byte for byte.</summary>
public static class HostapdText
{
    public static string Escape(ReadOnlySpan<byte> data)
    {
        var b = new StringBuilder();
        foreach (byte c in data)
        {
            b.Append(c switch
            {
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                0x1b => "\\e",
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                >= 32 and <= 126 => ((char)c).ToString(),
                _ => $"\\x{c:x2}",
            });
        }
        return b.ToString();
    }

    public static string Escape(string ssid) => Escape(Encoding.UTF8.GetBytes(ssid));

    /// <summary>"key=value" lines of a reply (STATUS, STA) as a dictionary; the first value wins.</summary>
    public static Dictionary<string, string> Fields(string reply)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in reply.Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (eq > 0) fields.TryAdd(line[..eq], line[(eq + 1)..]);
        }
        return fields;
    }
}
