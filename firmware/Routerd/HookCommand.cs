using System.Diagnostics;
using System.Text.Json;
using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd;

/// <summary>`routerd hook dhcp|dhcp6|ppp --socket PATH EVENT`: udhcpc's, dhcpcd's and pppd's scripts. It forwards
/// what the daemon put in its environment to the running routerd and decides nothing itself.</summary>
static class HookCommand
{
    public static async Task<int> Run(string[] args)
    {
        string? socket = null;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
            if (args[i] == "--socket" && i + 1 < args.Length) socket = args[++i];
            else rest.Add(args[i]);
        if (rest is not [("dhcp" or "dhcp6" or "ppp") and var kind, var ev] || socket is null)
        {
            Console.Error.WriteLine("usage: routerd hook dhcp|dhcp6|ppp --socket PATH EVENT");
            return 2;
        }
        string json = kind == "ppp"
            ? JsonSerializer.Serialize(PppHook.Report(ev), RouterJsonContext.Default.PppHookReport)
            : kind == "dhcp6"
            ? JsonSerializer.Serialize(Routerd.Core.Ipv6.Dhcp6HookReport.FromEnvironment(Env) with { Reason = ev }, RouterJsonContext.Default.Dhcp6HookReport)
            : JsonSerializer.Serialize(new DhcpHookReport(ev, Env("interface") ?? "", Env("ip"), Env("subnet"), Env("router"), Env("dns"), Env("lease")),
                RouterJsonContext.Default.DhcpHookReport);
        // routerd starts its WAN client before its web host, so on a slow first boot (seen: 14 s
        // under emulation, over 60 s in the image tier's PPPoE boot under TCG) the first lease
        // arrives before routerd answers. A report lost then is a WAN left without its address, so
        // while routerd says it is starting the hook waits for it: as long as the process named in
        // the marker lives (a routerd that died is not waited for), or a bounded while when the
        // marker names none.
        long started = Stopwatch.GetTimestamp(); // monotonic: NTP steps the date right at boot, when this wait happens
        while (true)
        {
            try
            {
                var r = await ControlClient.Send(socket, "POST", $"internal/{kind}", json);
                return r.Ok ? 0 : 1;
            }
            catch (ControlSocketException) when (StillStarting(BoardConfig.StartingMarker(socket), started))
            {
                await Task.Delay(250);
            }
            catch (ControlSocketException e)
            {
                Console.Error.WriteLine($"routerd hook: {e.Message}");
                return 1;
            }
        }
    }

    static readonly TimeSpan StartupWait = TimeSpan.FromSeconds(60);

    static bool StillStarting(string marker, long started)
    {
        string text;
        try { text = File.ReadAllText(marker).Trim(); }
        catch (IOException) { return false; } // gone: routerd is up (or stopped) — one last answer was refused
        return int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out int pid) && pid > 1
            ? !Routerd.Platform.Processes.ProcessTable.IsGone(pid)
            : Stopwatch.GetElapsedTime(started) < StartupWait;
    }

    static string? Env(string name) => Environment.GetEnvironmentVariable(name);
}
