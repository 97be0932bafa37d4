using Routerd.Core.Net;

namespace Routerd.Platform.Hostapd;

/// <summary>A station joined or left the access point (hostapd's AP-STA-CONNECTED and
/// AP-STA-DISCONNECTED), with its signal in dBm when hostapd knows it.</summary>
public sealed record StationEvent(MacAddress Mac, bool Connected, int? SignalDbm = null)
{
    /// <summary>Parses an event datagram such as "&lt;3&gt;AP-STA-CONNECTED 02:00:00:00:01:00 auth_alg=sae";
    /// null for every other event and for anything malformed (hostapd's text is never trusted).</summary>
    public static StationEvent? Parse(string message)
    {
        int start = message.IndexOf('>');
        var words = message[(start + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2 || !MacAddress.TryParse(words[1], out var mac)) return null;
        return words[0] switch
        {
            "AP-STA-CONNECTED" => new StationEvent(mac, true),
            "AP-STA-DISCONNECTED" => new StationEvent(mac, false),
            _ => null,
        };
    }

    /// <summary>One STA-FIRST/STA-NEXT reply: the MAC on the first line, then key=value lines.</summary>
    public static StationEvent? ParseSta(string reply)
    {
        var first = reply.Split('\n', 2)[0].Trim();
        if (!MacAddress.TryParse(first, out var mac)) return null;
        var fields = HostapdText.Fields(reply);
        int? signal = fields.TryGetValue("signal", out var s) && int.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign,
            System.Globalization.CultureInfo.InvariantCulture, out int dbm) && dbm is < 0 and > -128 ? dbm : null;
        return new StationEvent(mac, true, signal);
    }
}
