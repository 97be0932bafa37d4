using Routerd.Core.Loop;
using Routerd.Core.Qos;
using Routerd.Core.Settings;

namespace Routerd;

/// <summary>`routerd qos`: the VIP lane's queues, so one can see the lane at work.</summary>
static class QosCommand
{
    public static async Task<int> Run(string[] args)
    {
        if (await ControlClient.Get(args, "api/qos", RouterJsonContext.Default.QosView, "qos") is not { } qos) return 1;
        Console.WriteLine(qos.ShaperOn
            ? $"shaper on: upload {Rate(qos.UploadKbit)}, download {Rate(qos.DownloadKbit)}; leaf queue {qos.Leaf}"
            : $"shaper off (no WAN rates set): priority applies at the ports' own queues; leaf queue {qos.Leaf}");
        Console.WriteLine($"{"DEVICE",-16}  {"DIRECTION",-9}  {"CLASS",-5}  {"SENT",-12}  {"PACKETS",-10}  {"DROPPED",-8}  BACKLOG");
        foreach (var q in qos.Queues)
        {
            if (q.Classes.Count == 0)
            {
                Console.WriteLine($"{q.Device,-16}  {q.Direction,-9}  -      the port's own priority bands (pfifo_fast): no counters per class");
                continue;
            }
            foreach (var c in q.Classes)
                Console.WriteLine($"{q.Device,-16}  {q.Direction,-9}  {c.Name,-5}  {Units.Bytes(c.Stats.SentBytes),-12}  {c.Stats.SentPackets,-10}  {c.Stats.Dropped,-8}  {c.Stats.BacklogBytes} B / {c.Stats.BacklogPackets} pkt");
        }
        return 0;
    }

    static string Rate(long? kbit) => kbit is { } k ? Units.Rate(k * 1000) : "not shaped";
}
