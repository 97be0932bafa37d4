using Routerd.Core.Devices;
using Routerd.Core.Settings;

namespace Routerd;

/// <summary>`routerd devices`: the running router's device list as a table.</summary>
static class DevicesCommand
{
    public static async Task<int> Run(string[] args)
    {
        if (await ControlClient.Get(args, "api/devices", RouterJsonContext.Default.ListDeviceView, "devices") is not { } devices) return 1;
        Console.WriteLine($"{"MAC",-17}  {"NAME",-20}  {"ONLINE",-6}  {"PRIORITY",-22}  {"INTERNET",-24}  {"UPLOAD",-18}  {"DOWNLOAD",-18}  {"LAST SEEN",-20}  ADDRESSES");
        foreach (var d in devices)
            Console.WriteLine($"{d.Mac,-17}  {Printable(d.Name ?? d.Hostname ?? "-"),-20}  {(d.Online ? "yes" : "no"),-6}  {Priority(d),-22}  {Internet(d),-24}  " +
                $"{Traffic(d.Traffic?.UploadBytes, d.Traffic?.UploadBitsPerSecond),-18}  {Traffic(d.Traffic?.DownloadBytes, d.Traffic?.DownloadBitsPerSecond),-18}  " +
                $"{(d.LastSeen is { } t ? $"{t:yyyy-MM-dd HH:mm:ss}Z" : "never"),-20}  {string.Join(' ', d.Addresses)}");
        return 0;
    }

    public static string Priority(DeviceView d) =>
        !d.Priority ? "-" : d.PriorityUntil is { } u ? $"VIP until {u.ToUniversalTime():HH:mm:ss}Z" : "VIP";

    /// <summary>"paused until 21:30:00Z (schedule)", "paused", or "-" while the device may use the internet.</summary>
    public static string Internet(DeviceView d) =>
        !d.Paused ? "-" : (d.PausedUntil is { } u ? $"paused until {u.ToUniversalTime():HH:mm:ss}Z" : "paused") + (d.PausedBy == "schedule" ? " (schedule)" : "");

    static string Traffic(long? bytes, long? bitsPerSecond) =>
        bytes is not { } b ? "-" : $"{Units.Bytes(b)} {Units.Rate(bitsPerSecond ?? 0)}";

    /// <summary>Hostnames come from the devices themselves: never let one move the terminal's cursor.</summary>
    static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
