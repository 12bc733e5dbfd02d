namespace SimdRnn.Training;

/// <summary>Work split into numbered items, each run by exactly one worker; the worker index selects its workspace.</summary>
public interface IWorkItems
{
    void Run(int item, int worker);
}

/// <summary>
/// Persistent worker threads (the caller is worker 0). Items are assigned statically, item i to worker
/// i mod N, so no item's result depends on timing; nothing is allocated per run.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly Thread[] threads;
    private readonly SemaphoreSlim[] start;
    private readonly CountdownEvent done;
    private IWorkItems? work;
    private int items;
    private volatile bool stopping;
    private Exception? failure;

    public WorkerPool(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Workers = workers;
        start = new SemaphoreSlim[workers];
        threads = new Thread[workers - 1];
        done = new CountdownEvent(workers - 1);
        for (int w = 1; w < workers; w++)
        {
            int worker = w;
            start[w] = new SemaphoreSlim(0);
            threads[w - 1] = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"simdrnn-worker-{w}" };
            threads[w - 1].Start();
        }
    }

    public int Workers { get; }

    /// <summary>Runs items 0..count-1 and returns when all are done; rethrows the first failure.</summary>
    public void Run(int count, IWorkItems items)
    {
        work = items;
        this.items = count;
        failure = null;
        if (Workers > 1)
        {
            done.Reset();
            for (int w = 1; w < Workers; w++) start[w].Release();
        }

        RunShare(0);
        if (Workers > 1) done.Wait();
        work = null;
        if (failure is not null) throw new AggregateException(failure);
    }

    private void Loop(int worker)
    {
        while (true)
        {
            start[worker].Wait();
            if (stopping) return;
            RunShare(worker);
            done.Signal();
        }
    }

    private void RunShare(int worker)
    {
        try
        {
            for (int item = worker; item < items; item += Workers) work!.Run(item, worker);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref failure, e, null);
        }
    }

    public void Dispose()
    {
        stopping = true;
        for (int w = 1; w < Workers; w++) start[w].Release();
        foreach (var thread in threads) thread.Join();
        foreach (var semaphore in start) semaphore?.Dispose();
        done.Dispose();
    }
}
