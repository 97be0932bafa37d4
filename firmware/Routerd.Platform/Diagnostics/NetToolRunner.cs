using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Routerd.Core.Diagnostics;

namespace Routerd.Platform.Diagnostics;

/// <summary>The owner's network tools on this machine: ping and traceroute as processes started
/// with an argument list (never a shell), ended when their time is up, and a DNS question over
/// UDP. One at a time: each sends packets from the router, and a second one meanwhile is more
/// likely a double click than a wish.</summary>
public sealed class NetToolRunner(string ping, string traceroute) : INetTools
{
    readonly SemaphoreSlim gate = new(1, 1);
    static readonly TimeSpan LookupWait = TimeSpan.FromSeconds(3);

    public async Task<ToolResult> RunAsync(ToolPlan plan, CancellationToken cancel)
    {
        if (!gate.Wait(0)) throw Busy();
        try { return await Run(plan, cancel); }
        finally { gate.Release(); }
    }

    async Task<ToolResult> Run(ToolPlan plan, CancellationToken cancel)
    {
        var psi = new ProcessStartInfo(plan.Tool == "ping" ? ping : traceroute)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in plan.Arguments) psi.ArgumentList.Add(a);
        // The tools' words in English whatever the system's locale: the summary reads them.
        psi.Environment["LC_ALL"] = "C";
        Process p;
        try { p = Process.Start(psi) ?? throw new InvalidOperationException("no process"); }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new NetToolException(NetToolException.Failed, $"{plan.Tool} cannot be started on this router: {e.Message}");
        }
        using (p)
        {
            p.StandardInput.Close();
            var lines = new List<string>();
            bool truncated = false;
            async Task Pump(StreamReader r)
            {
                while (await r.ReadLineAsync() is { } line)
                    lock (lines)
                    {
                        if (lines.Count < NetToolRules.MaxLines) lines.Add(line.Length <= 200 ? line : line[..200]);
                        else truncated = true;
                    }
            }
            var output = Task.WhenAll(Pump(p.StandardOutput), Pump(p.StandardError));
            bool timedOut = false;
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel))
            {
                limit.CancelAfter(plan.Limit);
                try { await p.WaitForExitAsync(limit.Token); }
                catch (OperationCanceledException)
                {
                    timedOut = !cancel.IsCancellationRequested;
                    try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                    await p.WaitForExitAsync(CancellationToken.None);
                }
            }
            await Task.WhenAny(output, Task.Delay(1000, CancellationToken.None));
            cancel.ThrowIfCancellationRequested();
            List<string> kept;
            lock (lines) kept = [.. lines];
            int? exit = timedOut ? null : p.ExitCode;
            return new ToolResult(plan.Tool, plan.Host, kept, exit, timedOut, truncated,
                NetToolRules.Summarize(plan.Tool, plan.Host, kept, exit, timedOut));
        }
    }

    public async Task<LookupResult> LookupAsync(LookupPlan plan, IPAddress routerDns, CancellationToken cancel)
    {
        if (!gate.Wait(0)) throw Busy();
        try
        {
            var server = plan.Server ?? routerDns;
            var records = new List<LookupRecord>();
            var problems = new List<string>();
            using var udp = new UdpClient(server.AddressFamily);
            udp.Connect(new IPEndPoint(server, 53));
            foreach (var type in plan.Types)
            {
                ushort id = (ushort)Random.Shared.Next(1, ushort.MaxValue);
                var query = DnsMessage.Query(id, plan.Name, type);
                DnsAnswer? answer = null;
                // Two tries: one lost datagram is not an answer.
                for (int attempt = 0; attempt < 2 && answer is null; attempt++)
                {
                    await udp.SendAsync(query, cancel);
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                    wait.CancelAfter(LookupWait);
                    try
                    {
                        while (answer is null)
                        {
                            var got = await udp.ReceiveAsync(wait.Token);
                            answer = DnsMessage.Parse(got.Buffer, id);
                        }
                    }
                    catch (OperationCanceledException) when (!cancel.IsCancellationRequested) { }
                    catch (SocketException e) { problems.Add(e.SocketErrorCode == SocketError.ConnectionRefused ? "no DNS server listens there" : e.Message); break; }
                }
                if (answer is null) { if (problems.Count == 0) problems.Add($"no answer within {2 * LookupWait.TotalSeconds:0} s"); continue; }
                if (answer.ResponseCode != 0) problems.Add(DnsMessage.Meaning(answer.ResponseCode));
                records.AddRange(answer.Records.Where(r => !records.Contains(r)));
            }
            string who = plan.Server is null ? $"the router's DNS ({server})" : server.ToString();
            var addresses = records.Where(r => r.Type is "A" or "AAAA").Select(r => r.Value).ToList();
            string summary = addresses.Count > 0
                ? $"{plan.Name} is {string.Join(", ", addresses)} (asked {who})."
                : problems.Count > 0 ? $"{who} gave no address for {plan.Name}: {string.Join("; ", problems.Distinct())}."
                : $"{who} gave no address for {plan.Name}.";
            return new LookupResult(plan.Name, server.ToString(), records, summary, problems.Count == 0 || addresses.Count > 0);
        }
        finally { gate.Release(); }
    }

    static NetToolException Busy() =>
        new(NetToolException.Busy, "Another test is running on the router; try again when it has finished.");
}
