namespace Routerd.Core.Leds;

/// <summary>What the status LED tells someone looking at the box, most important first.</summary>
public enum StatusLight
{
    /// <summary>routerd has started but not applied the settings yet.</summary>
    Booting,
    /// <summary>An update is being received, checked or written: do not unplug.</summary>
    Updating,
    /// <summary>This boot came back to the old version because an update did not start correctly.</summary>
    FellBack,
    /// <summary>Running, and the internet connection is up.</summary>
    Online,
    /// <summary>Running, without an internet connection.</summary>
    Offline,
}

/// <summary>How the LED shows a light: on for <see cref="OnMs"/>, off for <see cref="OffMs"/>,
/// repeated (the kernel's timer trigger); <see cref="OffMs"/> 0 is steadily on.</summary>
public sealed record LedPattern(int OnMs, int OffMs)
{
    public bool Steady => OffMs == 0;
}

public static class StatusLights
{
    /// <summary>The light for the router's state: booting until the first apply, then an update
    /// under way, then a fall-back this boot, then whether the internet is up.</summary>
    public static StatusLight Choose(bool applied, bool updating, bool fellBackThisBoot, bool internetUp) =>
        !applied ? StatusLight.Booting
        : updating ? StatusLight.Updating
        : fellBackThisBoot ? StatusLight.FellBack
        : internetUp ? StatusLight.Online
        : StatusLight.Offline;

    /// <summary>Each light's pattern, told apart by eye: booting an even quick blink, updating a
    /// hurried flicker, a fall-back long on with a short gap, online steady, offline a slow blink.
    /// (board/rpi4/README.md lists them for owners.)</summary>
    public static LedPattern Pattern(StatusLight light) => light switch
    {
        StatusLight.Booting => new(250, 250),
        StatusLight.Updating => new(60, 140),
        StatusLight.FellBack => new(1800, 200),
        StatusLight.Online => new(1, 0),
        StatusLight.Offline => new(1000, 1000),
        _ => throw new ArgumentOutOfRangeException(nameof(light)),
    };
}
