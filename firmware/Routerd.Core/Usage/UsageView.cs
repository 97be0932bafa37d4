using System.Text.Json;
using System.Text.Json.Serialization;
using Routerd.Core.Net;

namespace Routerd.Core.Usage;

/// <summary>GET /api/devices/{mac}/usage: the device's bytes per hour for the last seven days, oldest
/// first, always <see cref="UsageHistory.Hours"/> of them (hour i starts <c>firstHour</c> + i hours,
/// the last is the current one, still growing), with the week's totals.</summary>
public sealed record UsageView(string Mac, DateTimeOffset FirstHour, int StepSeconds, long[] Upload, long[] Download,
    long UploadTotal, long DownloadTotal)
{
    public static UsageView Of(MacAddress mac, UsageHistory history, DateTimeOffset now)
    {
        if (history.Of(mac, now) is { } u)
            return new UsageView(mac.ToString(), u.FirstHour, (int)u.Step.TotalSeconds, u.Upload, u.Download, u.Upload.Sum(), u.Download.Sum());
        return new UsageView(mac.ToString(), UsageHistory.FirstHourAt(now), 3600,
            new long[UsageHistory.Hours], new long[UsageHistory.Hours], 0, 0);
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UsageView))]
public sealed partial class UsageJsonContext : JsonSerializerContext;
