namespace Routerd.Platform.Store;

/// <summary>Writes, on a thread of its own, the latest value it was handed: values handed over
/// while a write runs are coalesced into one write of the newest. The store uses it to bring the
/// LiteDB data file up to what the good copy already holds on the disk, after the change has been
/// acknowledged, so the data file's commit (its syncs, its checkpoint) is not on a request's path.
/// <paramref name="write"/> must handle its own failures: an exception escaping it on this thread
/// would end the process.</summary>
sealed class LatestWriter<T>(Action<T> write) : IDisposable where T : class
{
    readonly object gate = new();
    T? pending;
    bool writing, stopped;
    Thread? thread;

    /// <summary>The newest value replaces any not yet written; returns at once.</summary>
    public void Post(T value)
    {
        lock (gate)
        {
            if (stopped) throw new ObjectDisposedException(nameof(LatestWriter<T>));
            pending = value;
            if (thread is null)
            {
                thread = new Thread(Run) { IsBackground = true, Name = "store writer" };
                thread.Start();
            }
            Monitor.PulseAll(gate);
        }
    }

    /// <summary>Waits until everything posted so far is written (or its write failed); false when
    /// <paramref name="timeout"/> passed first.</summary>
    public bool Settle(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (gate)
        {
            while (pending is not null || writing)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(gate, left)) return false;
            }
            return true;
        }
    }

    void Run()
    {
        while (true)
        {
            T next;
            lock (gate)
            {
                while (pending is null && !stopped) Monitor.Wait(gate);
                if (pending is null) return;
                next = pending;
                pending = null;
                writing = true;
            }
            try { write(next); }
            finally
            {
                lock (gate)
                {
                    writing = false;
                    Monitor.PulseAll(gate);
                }
            }
        }
    }

    /// <summary>Writes what is pending (waiting up to <paramref name="timeout"/>), then ends the
    /// thread; false when a write was still running at the end (it then has the value it writes to itself).</summary>
    public bool Stop(TimeSpan timeout)
    {
        Settle(timeout);
        Thread? t;
        lock (gate)
        {
            stopped = true;
            pending = null;
            t = thread;
            Monitor.PulseAll(gate);
        }
        return t is null || t.Join(timeout);
    }

    public void Dispose() => Stop(TimeSpan.FromSeconds(30));
}
