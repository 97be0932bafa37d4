using System.Threading.Channels;

namespace Routerd.Core.Loop;

/// <summary>One inbox, one thread: events are handled one at a time in the order they arrived.
/// When the inbox runs empty the loop <em>settles</em> (applies what the batch of events just
/// handled left pending, e.g. the VIP sets after a burst of neighbour events) and then waits.
/// Nothing here knows what an event means; <see cref="Router"/> does.</summary>
public sealed class EventLoop<TEvent> : IDisposable where TEvent : class
{
    /// <summary>Synchronous continuations: the loop's thread waits blocked for the inbox, and a
    /// post then wakes it directly. Without them the wake-up is queued to the thread pool, and a
    /// pool whose threads all wait (for the loop, among others) would hold the loop up until the
    /// pool adds a thread. The continuation a post runs is only that wake-up.</summary>
    readonly Channel<TEvent> inbox = Channel.CreateUnbounded<TEvent>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    readonly Action<TEvent> handle;
    readonly Action settle;
    readonly Action<Exception> fault;
    readonly Thread thread;
    readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="handle">runs on the loop's thread, one event at a time.</param>
    /// <param name="settle">runs on the loop's thread whenever the inbox has run empty.</param>
    /// <param name="fault">a handler threw: the loop logs it and goes on with the next event.</param>
    public EventLoop(string name, Action<TEvent> handle, Action settle, Action<Exception> fault)
    {
        (this.handle, this.settle, this.fault) = (handle, settle, fault);
        thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>True on the loop's own thread (a handler must never wait for the loop).</summary>
    public bool OnLoopThread => Thread.CurrentThread == thread;

    public bool Started { get; private set; }

    /// <summary>Completes when the loop's thread has ended (after <see cref="Dispose"/>).</summary>
    public Task Stopped => stopped.Task;

    public void Start()
    {
        Started = true;
        thread.Start();
    }

    /// <summary>Queues an event; never blocks. False once the loop is stopping.</summary>
    public bool Post(TEvent e) => inbox.Writer.TryWrite(e);

    void Run()
    {
        var reader = inbox.Reader;
        try
        {
            // A thread of its own (not the pool): handlers run external tools and wait for them.
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var e))
                {
                    try { handle(e); }
                    catch (Exception x) { fault(x); }
                }
                try { settle(); }
                catch (Exception x) { fault(x); }
            }
        }
        finally { stopped.TrySetResult(); }
    }

    /// <summary>Stops taking events; those already queued are still handled.</summary>
    public void Dispose()
    {
        inbox.Writer.TryComplete();
        if (Started && !OnLoopThread) thread.Join(TimeSpan.FromSeconds(10));
    }
}
