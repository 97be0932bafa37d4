using System.Text.RegularExpressions;
using Routerd.Core.Settings;

namespace Routerd.Core.Time;

/// <summary>The router's time zone: a name of the tz database ("Europe/Berlin", "UTC") present on
/// this system. The image's root is read-only, so /etc/localtime stays UTC and the system clock
/// runs in UTC; routerd applies the zone itself, to what it schedules by local time (a device's
/// weekly pause) and to the local time it shows.</summary>
public static partial class TimeRules
{
    public const string DefaultZone = "UTC";

    /// <summary>The zone, or null with the refusal at time.zone.</summary>
    public static TimeZoneInfo? Build(TimeSettings time, List<FieldError> errors)
    {
        string zone = time.Zone ?? "";
        // The name becomes a path under the tz database: only a name's characters, no "..".
        if (zone.Length is > 0 and <= 64 && ZoneName().IsMatch(zone) && !zone.Contains("..", StringComparison.Ordinal)
            && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found))
            return found;
        errors.Add(new("time.zone", zone.Length == 0
            ? "is required: a time zone such as Europe/Berlin or UTC"
            : $"'{(zone.Length <= 48 ? zone : zone[..45] + "...")}' is not a time zone this router knows (e.g. Europe/Berlin, America/New_York, UTC)"));
        return null;
    }

    /// <summary>The zones an owner chooses from: the tz database's names on this system ("Area/City"), and UTC.</summary>
    public static IReadOnlyList<string> Zones() =>
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/') && ZoneName().IsMatch(id) && !id.StartsWith("Etc/", StringComparison.Ordinal))
            .Append(DefaultZone).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>"+01:00": the zone's offset from UTC at <paramref name="at"/>.</summary>
    public static string Offset(TimeZoneInfo zone, DateTimeOffset at)
    {
        var o = zone.GetUtcOffset(at);
        return $"{(o < TimeSpan.Zero ? '-' : '+')}{Math.Abs(o.Hours):00}:{Math.Abs(o.Minutes):00}";
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")]
    private static partial Regex ZoneName();
}

/// <summary>How the clock is kept: the kernel's "synchronised" flag (adjtimex), whether a time
/// service runs (systemd-timesyncd on the images) and, where it says, the server it follows.</summary>
public sealed record ClockStatus(bool? Synchronized, string? Service, bool ServiceRunning, string? Source);

/// <summary>GET /api/time: the zone, the router's local time, how the clock is kept, in words.</summary>
public sealed record TimeView(string Zone, DateTimeOffset Now, string LocalTime, string Offset, ClockStatus Clock, string Summary, IReadOnlyList<string> Zones);

/// <summary>The OS edge: the kernel clock's state and the time service.</summary>
public interface IClockStatusReader
{
    ClockStatus Read();
}

public static class TimeReport
{
    public static TimeView Build(TimeZoneInfo zone, DateTimeOffset now, ClockStatus clock, IReadOnlyList<string> zones)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        string summary = (clock.ServiceRunning, clock.Synchronized) switch
        {
            (true, true) => $"The clock is synchronised by {clock.Service}" + (clock.Source is { } s ? $" with {s}." : "."),
            (true, _) => $"{clock.Service} runs but has not synchronised the clock yet: it needs the internet (NTP, UDP port 123).",
            (false, true) => "No time service runs on this router; the kernel reports its clock as synchronised (set by the system it runs on).",
            (false, _) => "No time service runs on this router, and the clock is not synchronised: times shown are as the clock has them.",
        };
        return new TimeView(zone.Id, now, local.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            TimeRules.Offset(zone, now), clock, summary, zones);
    }
}
