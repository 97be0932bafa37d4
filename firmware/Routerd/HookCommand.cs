using Routerd.Core.Loop;
using Routerd.Core.Settings;
using Routerd.Core.Wan;

namespace Routerd;

/// <summary>`routerd hook dhcp|ppp --socket PATH EVENT`: udhcpc's and pppd's scripts. It forwards
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
        if (rest is not [("dhcp" or "ppp") and var kind, var ev] || socket is null)
        {
            Console.Error.WriteLine("usage: routerd hook dhcp|ppp --socket PATH EVENT");
            return 2;
        }
        try
        {
            var r = kind == "ppp"
                ? await ControlClient.Send(socket, "POST", "internal/ppp", PppHook.Report(ev), RouterJsonContext.Default.PppHookReport)
                : await ControlClient.Send(socket, "POST", "internal/dhcp",
                    new DhcpHookReport(ev, Env("interface") ?? "", Env("ip"), Env("subnet"), Env("router"), Env("dns"), Env("lease")),
                    RouterJsonContext.Default.DhcpHookReport);
            return r.Ok ? 0 : 1;
        }
        catch (ControlSocketException e)
        {
            Console.Error.WriteLine($"routerd hook: {e.Message}");
            return 1;
        }
    }

    static string? Env(string name) => Environment.GetEnvironmentVariable(name);
}
