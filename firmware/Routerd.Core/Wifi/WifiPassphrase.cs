using System.Security.Cryptography;

namespace Routerd.Core.Wifi;

/// <summary>The first-boot Wi-Fi key when the board prints none on its label: random per device,
/// never derived from something public like the MAC or serial number (the classic router flaw
/// of computable default keys). 16 characters from 31 letters and digits without look-alikes
/// (79 bits), grouped for reading off a screen: "xkcd-mqpt-7h2w-ra9e".</summary>
public static class WifiPassphrase
{
    const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789"; // no i, l, o, 0, 1

    public static string NewRandom()
    {
        Span<char> key = stackalloc char[19];
        int n = 0;
        for (int i = 0; i < 16; i++)
        {
            if (i > 0 && i % 4 == 0) key[n++] = '-';
            key[n++] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }
        return new string(key);
    }
}
