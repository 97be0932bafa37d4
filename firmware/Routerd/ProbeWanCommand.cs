using System.Globalization;
using System.Text.Json;
using Routerd.Platform.Netlink;
using Routerd.Platform.Pppoe;
using Routerd.Core.Settings;

namespace Routerd;

/// <summary>`routerd probe-wan [DEVICE] [--timeout SECONDS] [--service NAME] [--json]`: sends
/// PPPoE discovery (PADI) on the WAN port (the board's, unless named) and lists the access
/// concentrators that answer. It runs the probe itself (no running routerd needed), so it works
/// on first setup; exit status 0 when a PPPoE server answered, 3 when none did (wan/NO_SERVER).</summary>
static class ProbeWanCommand
{
    public static int Run(string[] args)
    {
        double seconds = WanDetector.DefaultTimeout.TotalSeconds;
        string? service = null;
        bool json = false;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--timeout" && i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out seconds)) i++;
            else if (args[i] == "--service" && i + 1 < args.Length) service = args[++i];
            else if (args[i] == "--json") json = true;
            else rest.Add(args[i]);
        }
        if (seconds is < 0.1 or > 60)
        {
            Console.Error.WriteLine("routerd probe-wan: --timeout must be between 0.1 and 60 seconds");
            return 2;
        }
        var (board, positional) = BoardConfig.Load([.. rest]);
        string device = positional.FirstOrDefault() ?? board.WanDevice;
        Core.Wan.WanDetection result;
        try
        {
            result = WanDetector.Detect(new NetlinkObserver(), device, TimeSpan.FromSeconds(seconds), service);
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            Console.Error.WriteLine($"routerd probe-wan: {e.Message}");
            return 1;
        }
        if (json) Console.WriteLine(JsonSerializer.Serialize(result, RouterJsonContext.Default.WanDetection));
        else if (result.Offers.Count == 0)
            Console.WriteLine($"{result.Code}: no PPPoE access concentrator answered on {device} within {result.WaitedMs / 1000:0.0} s; the WAN is likely DHCP (or the cable is not the ISP's)");
        else
        {
            Console.WriteLine($"PPPoE on {device}: first answer after {result.FirstAnswerMs:0} ms");
            Console.WriteLine($"{"AC MAC",-17}  {"AC NAME",-24}  SERVICES");
            foreach (var o in result.Offers)
                Console.WriteLine($"{o.AcMac,-17}  {o.AcName ?? "-",-24}  {(o.Services.Count == 0 ? "-" : string.Join(", ", o.Services.Select(s => s.Length == 0 ? "(any)" : s)))}{(o.Error is { } err ? $"  error: {err}" : "")}");
        }
        return result.Offers.Count > 0 ? 0 : 3;
    }
}
