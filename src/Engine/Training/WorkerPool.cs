using System.Diagnostics;

namespace SimdRnn.Training;

/// <summary>Work split into numbered items, each run by exactly one worker; the worker index selects its workspace.</summary>
public interface IWorkItems
{
    void Run(int item, int worker);
}

/// <summary>
/// Persistent worker threads (the caller is worker 0). Items are assigned statically, item i to worker
/// i mod N, so no item's result depends on timing; nothing is allocated per run.
/// <para>
/// A batch runs several rounds with a few microseconds of the caller's work between them, and a thread that
/// blocks in the kernel takes a long time to wake on a virtual machine (0.4-0.8 ms measured on a 2-vCPU VM,
/// against 7 ms for a round's chunk). So an idle worker first spins for <see cref="DefaultSpin"/> watching for the
/// next round, and only then blocks; the caller waits for the workers the same way. A pool left idle costs each
/// thread one spin and then nothing.
/// </para>
/// </summary>
public sealed class WorkerPool : IDisposable
{
    /// <summary>How long a waiting thread spins before it blocks: far longer than the caller's work between rounds.</summary>
    private static readonly TimeSpan DefaultSpin = TimeSpan.FromMilliseconds(1);

    private readonly long spinTicks;         // DefaultSpin in Stopwatch ticks, or a test's own

    private readonly Thread[] threads;
    private readonly SemaphoreSlim[] wake;   // [worker] released by the caller only when that worker blocked
    private readonly int[] blocked;          // [worker] 1 while the worker is (about to be) blocked on wake
    private readonly ManualResetEventSlim done = new(false);
    private volatile int round;              // counts the rounds; a change tells the workers to start
    private int pending;                     // workers still running the current round
    private IWorkItems? work;
    private int items;
    private volatile bool stopping;
    private Exception? failure;

    public WorkerPool(int workers) : this(workers, DefaultSpin) { }

    /// <summary>A pool whose waits spin for <paramref name="spin"/> before they block: tests shorten it to make the blocking path common.</summary>
    internal WorkerPool(int workers, TimeSpan spin)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        spinTicks = (long)(spin.TotalSeconds * Stopwatch.Frequency);
        Workers = workers;
        wake = new SemaphoreSlim[workers];
        blocked = new int[workers];
        threads = new Thread[workers - 1];
        for (int w = 1; w < workers; w++)
        {
            int worker = w;
            wake[w] = new SemaphoreSlim(0);
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
        if (Workers > 1) StartRound();
        RunShare(0);
        if (Workers > 1) AwaitWorkers();
        work = null;
        if (failure is not null) throw new AggregateException(failure);
    }

    private void StartRound()
    {
        pending = Workers - 1;
        done.Reset();
        Interlocked.Increment(ref round);   // a full fence: the work, the count and the reset are visible first
        for (int w = 1; w < Workers; w++)
        {
            // A worker that has gone to block is woken; one still spinning sees the new round by itself.
            if (Interlocked.CompareExchange(ref blocked[w], 0, 1) == 1) wake[w].Release();
        }
    }

    private void AwaitWorkers()
    {
        long deadline = Stopwatch.GetTimestamp() + spinTicks;
        for (int spins = 1; Volatile.Read(ref pending) != 0; spins++)
        {
            Thread.SpinWait(1);
            if ((spins & 63) == 0 && Stopwatch.GetTimestamp() > deadline)
            {
                // The last worker of the round before may set the event only after the caller saw its count reach
                // zero and began this round (which reset the event first), so a set event alone does not end the
                // round: each wait is followed by a reset and a look at the count, which reaches zero only before
                // this round's own set.
                while (Volatile.Read(ref pending) != 0)
                {
                    done.Wait();
                    done.Reset();
                }

                return;
            }
        }
    }

    private void Loop(int worker)
    {
        int seen = 0;
        while (true)
        {
            seen = AwaitRound(worker, seen);
            if (stopping) return;
            RunShare(worker);
            if (Interlocked.Decrement(ref pending) == 0) done.Set();
        }
    }

    /// <summary>Returns the number of the next round after <paramref name="seen"/>, spinning first and then blocking.</summary>
    private int AwaitRound(int worker, int seen)
    {
        long deadline = Stopwatch.GetTimestamp() + spinTicks;
        for (int spins = 1; round == seen; spins++)
        {
            Thread.SpinWait(1);
            if ((spins & 63) != 0 || Stopwatch.GetTimestamp() <= deadline) continue;

            // Announce the block, then look once more (both sides use full fences, so either this thread sees the
            // new round or the caller sees the flag). If the round started and the caller has not taken the flag,
            // take it back and run; if the caller took it, it has released (or will release) the semaphore: consume it.
            Interlocked.Exchange(ref blocked[worker], 1);
            if (round == seen || Interlocked.Exchange(ref blocked[worker], 0) == 0) wake[worker].Wait();

            // A wake does not prove a new round: the caller may take the flag late, after this worker has run the
            // round the flag was taken for and blocked again (the caller preempted between starting a round and
            // waking its workers). So the loop looks at the round again and, if it has not moved, blocks again.
        }

        return round;
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
        if (Workers > 1) StartRound();
        foreach (var thread in threads) thread.Join();
        foreach (var semaphore in wake) semaphore?.Dispose();
        done.Dispose();
    }
}
