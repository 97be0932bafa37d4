using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Routerd.Bench;

/// <summary>Work that must happen inside a lab namespace runs on a thread of its own that joined
/// it (setns moves only the calling thread). A socket stays in the namespace it was made in
/// wherever it is used later, so only the making needs the thread; the benchmark's other threads
/// never leave the root namespace. The thread ends with its work: it is never given back to a pool
/// where other code would run in the wrong namespace.</summary>
static partial class NetnsThread
{
    const int CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", SetLastError = true)] private static partial int setns(int fd, int nstype);

    /// <summary>Runs <paramref name="body"/> on a new thread inside <paramref name="netns"/>; the
    /// task ends with its result or its exception. Continuations never run on that thread.</summary>
    public static Task<T> Run<T>(string netns, Func<T> body, string name)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using (SafeFileHandle ns = File.OpenHandle($"/run/netns/{netns}"))
                    if (setns((int)ns.DangerousGetHandle(), CLONE_NEWNET) != 0)
                        throw new IOException($"setns into {netns}: errno {Marshal.GetLastPInvokeError()}");
                done.SetResult(body());
            }
            catch (Exception e) { done.SetException(e); }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }
}
