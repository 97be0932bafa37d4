namespace Routerd.Core.Wifi;

/// <summary>The channels routerd offers per band, and the one it picks when the user leaves the
/// channel on automatic.
///
/// "Automatic" is a fixed, widely allowed channel rather than hostapd's ACS (channel=0 or
/// acs_survey): ACS needs the driver to report channel surveys, which brcmfmac (the Raspberry
/// Pi's radio) and many USB radios do not, and hostapd then fails to bring the AP up at all.
/// On 5 GHz only the non-DFS channels are offered: a DFS channel needs a minute of radar
/// listening before every start and can be taken away at any time, which a home router that
/// restarts hostapd on a settings change should not inflict on its users.</summary>
public static class WifiChannels
{
    public static readonly IReadOnlyList<int> Ghz24 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
    public static readonly IReadOnlyList<int> Ghz5 = [36, 40, 44, 48, 149, 153, 157, 161, 165];

    public static IReadOnlyList<int> Of(WifiBand band) => band == WifiBand.Ghz5 ? Ghz5 : Ghz24;

    /// <summary>Channel 6 sits in the middle of the band, usable in every regulatory domain;
    /// channel 36 is the first 5 GHz channel everywhere without DFS.</summary>
    public static int Default(WifiBand band) => band == WifiBand.Ghz5 ? 36 : 6;
}
