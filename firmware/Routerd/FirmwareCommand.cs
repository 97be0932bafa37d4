using System.Text.Json;
using Routerd.Core.Settings;
using Routerd.Core.Upgrade;

namespace Routerd;

/// <summary>`routerd firmware`: what the System page shows about the firmware, and
/// `routerd firmware install FILE [--force]`: the same upload, check and install as the web UI's,
/// through the running routerd (one updater), for a person at the console.</summary>
static class FirmwareCommand
{
    /// <summary>Checking a bundle reads all of it (its signature); on an SD card that takes a while.</summary>
    static readonly TimeSpan UploadTimeout = TimeSpan.FromMinutes(15);

    public static async Task<int> Run(string[] args)
    {
        var (board, positional) = BoardConfig.Load(args.Where(a => a != "--force").ToArray());
        if (positional.Count == 0)
        {
            if (await ControlClient.Get(args, "api/firmware", RouterJsonContext.Default.FirmwareStatus, "firmware") is not { } f) return 1;
            if (!f.Available)
            {
                Console.WriteLine($"running: routerd {f.RunningVersion}");
                Console.WriteLine(f.Unavailable);
                return 0;
            }
            Console.WriteLine($"running: routerd {f.RunningVersion} in slot {f.BootedSlot ?? "?"} (this boot's health check: {f.BootCheck})");
            if (f.Other is { } o)
                Console.WriteLine($"other:   slot {o.Slot}: {(o.Version is null ? "no update installed" : $"routerd {o.Version}, installed {o.Installed}")}, boot status {o.BootStatus ?? "?"}");
            Console.WriteLine($"update:  {f.Job.State}{(f.Job.Version is null ? "" : $" {f.Job.Version}")}{(f.Job.Message is null ? "" : $": {f.Job.Message}")}");
            if (f.Job.Progress is { } p) Console.WriteLine($"         {p.Step} {p.Percent}%: {p.Detail}");
            if (f.LastUpdate is { } last) Console.WriteLine($"last:    {last.Message}");
            return 0;
        }
        if (positional is not ["install", var file])
        {
            Console.Error.WriteLine("usage: routerd firmware [install FILE.raucb [--force]]");
            return 2;
        }
        if (!File.Exists(file))
        {
            Console.Error.WriteLine($"routerd firmware: no such file: {file}");
            return 1;
        }
        string path = "api/firmware" + (args.Contains("--force") ? "?force=true" : "");
        try
        {
            var r = await ControlClient.SendFile(BoardConfig.ControlSocket(board), "POST", path, file, UploadTimeout);
            if (!r.Ok)
            {
                var error = Try(() => JsonSerializer.Deserialize(r.Body, RouterJsonContext.Default.ApiError));
                Console.Error.WriteLine($"routerd firmware: refused ({r.Status}{(error?.Code is { } c ? $" {c}" : "")}): {error?.Error ?? r.Body}");
                return 1;
            }
            var job = Try(() => JsonSerializer.Deserialize(r.Body, RouterJsonContext.Default.FirmwareJob));
            Console.WriteLine($"routerd firmware: {job?.Message ?? "accepted"}; installing — `routerd firmware` shows when it is done, then reboot");
            return 0;
        }
        catch (ControlSocketException e)
        {
            ControlClient.CannotReach("firmware", e);
            return 1;
        }
    }

    static T? Try<T>(Func<T?> read) where T : class
    {
        try { return read(); }
        catch (JsonException) { return null; }
    }
}
