using System.Net.Http.Json;
using Routerd.Core.Json;
using Routerd.Core.Status;

namespace Routerd;

/// <summary>`routerd hook dhcp --socket PATH EVENT`: udhcpc's script. It forwards the lease from
/// udhcpc's environment to the running routerd and decides nothing itself.</summary>
static class HookCommand
{
    public static async Task<int> Run(string[] args)
    {
        string? socket = null;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
            if (args[i] == "--socket" && i + 1 < args.Length) socket = args[++i];
            else rest.Add(args[i]);
        if (rest is not ["dhcp", var ev] || socket is null)
        {
            Console.Error.WriteLine("usage: routerd hook dhcp --socket PATH EVENT");
            return 2;
        }
        var report = new DhcpHookReport(ev, Env("interface") ?? "", Env("ip"), Env("subnet"), Env("router"), Env("dns"));
        using var http = ControlClient.Create(socket);
        try
        {
            var r = await http.PostAsJsonAsync("internal/dhcp", report, RouterJsonContext.Default.DhcpHookReport);
            return r.IsSuccessStatusCode ? 0 : 1;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"routerd hook: cannot reach {socket}: {e.Message}");
            return 1;
        }
    }

    static string? Env(string name) => Environment.GetEnvironmentVariable(name);
}
