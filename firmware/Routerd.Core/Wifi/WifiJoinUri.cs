using System.Text;

namespace Routerd.Core.Wifi;

/// <summary>The text a phone's camera reads to join a network: the "WIFI:" URI of the de facto
/// standard (ZXing's barcode contents, kept by the Wi-Fi Alliance's WPA3 specification):
/// WIFI:T:WPA;S:ssid;P:key;H:true;; where \ ; , : and " in the SSID and key are escaped with a
/// backslash. T:WPA stands for every WPA2 and WPA3 personal network (phones pick SAE or PSK by the
/// beacon), so it is the one value older and newer phones all read.</summary>
public static class WifiJoinUri
{
    public static string Build(string ssid, string passphrase, bool hidden)
    {
        var b = new StringBuilder("WIFI:T:WPA;S:");
        Escape(b, ssid);
        b.Append(";P:");
        Escape(b, passphrase);
        b.Append(';');
        if (hidden) b.Append("H:true;");
        return b.Append(';').ToString();
    }

    static void Escape(StringBuilder b, string text)
    {
        foreach (char c in text)
        {
            if (c is '\\' or ';' or ',' or ':' or '"') b.Append('\\');
            b.Append(c);
        }
    }
}
