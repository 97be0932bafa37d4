using Routerd.Core.Wifi;
using Xunit;

namespace Routerd.Tests.Wifi;

/// <summary>The WIFI: URI a phone's camera reads: \ ; , : and " escaped with a backslash, H:true for a hidden network.</summary>
public class WifiJoinUriTests
{
    [Fact]
    public void Plain_names_and_keys_go_in_as_they_are()
    {
        Assert.Equal("WIFI:T:WPA;S:routerd;P:Kq7-ZebraLamp-93;;", WifiJoinUri.Build("routerd", "Kq7-ZebraLamp-93", hidden: false));
        Assert.Equal("WIFI:T:WPA;S:Café 🏠;P:12345678;H:true;;", WifiJoinUri.Build("Café 🏠", "12345678", hidden: true));
    }

    [Fact]
    public void The_five_special_characters_are_escaped()
    {
        Assert.Equal(@"WIFI:T:WPA;S:a\;b\,c\:d\""e\\f;P:p\\\;\,\:\""x y;;", WifiJoinUri.Build("a;b,c:d\"e\\f", "p\\;,:\"x y", hidden: false));
    }
}
