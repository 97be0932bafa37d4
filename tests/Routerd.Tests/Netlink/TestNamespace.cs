using System.Collections.Concurrent;
using System.Diagnostics;
using Tmds.Linux;

namespace Routerd.Tests.Netlink;

/// <summary>A throwaway network namespace and one thread living inside it.</summary>
/// <remarks>setns(CLONE_NEWNET) moves only the calling thread, so the rest of the test host
/// stays in the root namespace; netlink sockets join the namespace of the thread that opens
/// them. Changes go through "ip -n NAME", which names the namespace explicitly.</remarks>
internal sealed class TestNamespace : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    private TestNamespace(string name)
    {
        Name = name;
        RunIp("netns", "add", name);
        var entered = new TaskCompletionSource();
        _thread = new Thread(() => Serve(entered)) { IsBackground = true, Name = $"netns {name}" };
        _thread.Start();
        try
        {
            entered.Task.GetAwaiter().GetResult();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>A fresh namespace; where none can be made (not root, no iproute2) the test fails
    /// and says how to fix that: a silent pass would prove nothing.</summary>
    public static TestNamespace Create() =>
        Environment.UserName == "root" && File.Exists("/usr/sbin/ip") && File.Exists("/proc/self/ns/net")
            ? new TestNamespace($"rd-nl-{Guid.NewGuid():N}"[..14])
            : throw new InvalidOperationException("this test makes a network namespace: run the tests as root with iproute2 installed (./build.sh deps)");

    /// <summary>Runs <paramref name="work"/> on the thread inside the namespace.</summary>
    public T Run<T>(Func<T> work)
    {
        var result = new TaskCompletionSource<T>();
        _work.Add(() =>
        {
            try { result.SetResult(work()); }
            catch (Exception e) { result.SetException(e); }
        });
        return result.Task.GetAwaiter().GetResult();
    }

    public void Ip(string arguments) => RunIp(["-n", Name, .. arguments.Split(' ')]);

    /// <summary>Any tool inside the namespace ("nft add table inet t").</summary>
    public void Exec(string command) => RunIp(["netns", "exec", Name, .. command.Split(' ')]);

    private void Serve(TaskCompletionSource entered)
    {
        try
        {
            using var handle = File.OpenHandle($"/run/netns/{Name}");
            if (LibC.setns((int)handle.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
                throw new IOException($"setns: errno {LibC.errno}");
            entered.SetResult();
        }
        catch (Exception e)
        {
            entered.SetException(e);
            return;
        }

        foreach (var work in _work.GetConsumingEnumerable()) work();
    }

    private static void RunIp(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var ip = Process.Start(start)!;
        string error = ip.StandardError.ReadToEnd();
        ip.StandardOutput.ReadToEnd();
        ip.WaitForExit();
        if (ip.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {error}");
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join();
        RunIp("netns", "del", Name);
    }
}
