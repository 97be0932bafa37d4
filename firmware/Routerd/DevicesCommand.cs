using System.Net.Http.Json;
using Routerd.Core.Json;

namespace Routerd;

/// <summary>`routerd devices`: the running router's device list as a table.</summary>
static class DevicesCommand
{
    public static async Task<int> Run(string[] args)
    {
        var (board, _) = BoardConfig.Load(args);
        string socket = BoardConfig.ControlSocket(board);
        using var http = ControlClient.Create(socket);
        List<Core.Devices.DeviceView>? devices;
        try
        {
            devices = await http.GetFromJsonAsync("api/devices", RouterJsonContext.Default.ListDeviceView);
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"routerd devices: is routerd running? cannot reach {socket}: {e.Message}");
            return 1;
        }
        Console.WriteLine($"{"MAC",-17}  {"HOSTNAME",-20}  {"ONLINE",-6}  {"LAST SEEN",-20}  ADDRESSES");
        foreach (var d in devices ?? [])
            Console.WriteLine($"{d.Mac,-17}  {Printable(d.Hostname ?? "-"),-20}  {(d.Online ? "yes" : "no"),-6}  {d.LastSeen:yyyy-MM-dd HH:mm:ss}Z  {string.Join(' ', d.Addresses)}");
        return 0;
    }

    /// <summary>Hostnames come from the devices themselves: never let one move the terminal's cursor.</summary>
    static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
