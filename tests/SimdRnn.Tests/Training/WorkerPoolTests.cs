using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Training;

/// <summary>The pool's contract: every item exactly once, on worker item mod N, every round, whether the workers spin or block.</summary>
public sealed class WorkerPoolTests
{
    private sealed class Recorder(int capacity) : IWorkItems
    {
        public readonly int[] Worker = new int[capacity];
        public readonly int[] Runs = new int[capacity];

        public void Run(int item, int worker)
        {
            Worker[item] = worker;
            Interlocked.Increment(ref Runs[item]);
        }
    }

    /// <summary>
    /// Law: for any number of workers and any sequence of rounds (item counts, some rounds after a pause long enough
    /// for the workers to block, most straight after the last), each round runs each of its items once, on worker
    /// item mod N, and only its items.
    /// </summary>
    [Property(MaxTest = 60, Replay = "(9001,77)")]
    public void EveryRound_RunsEachItemOnce_OnItsWorker(PositiveInt workerSeed, NonEmptyArray<NonNegativeInt> roundItems, int pauses)
    {
        int workers = 1 + workerSeed.Get % 4;
        using var pool = new WorkerPool(workers);
        AssertEveryRoundRunsEachItemOnce(pool, roundItems.Get.Take(40).Select(c => c.Get % 70).ToArray(), pauses);
    }

    /// <summary>
    /// The same law with more workers than cores and short spins (100 µs), over many quick rounds: the spinning workers
    /// preempt the caller, often between its starting a round and its waking the workers that had blocked, so some
    /// are woken late, after they ran the round by themselves and blocked again.
    /// </summary>
    [Property(MaxTest = 40)]
    public void EveryRound_RunsEachItemOnce_WithMoreWorkersThanCores(PositiveInt workerSeed, NonEmptyArray<NonNegativeInt> roundItems)
    {
        int workers = Environment.ProcessorCount + 1 + workerSeed.Get % 4;
        using var pool = new WorkerPool(workers, TimeSpan.FromMicroseconds(100));
        var rounds = roundItems.Get.Select(c => c.Get % 70).ToArray();
        AssertEveryRoundRunsEachItemOnce(pool, Enumerable.Repeat(rounds, 1 + 500 / rounds.Length).SelectMany(r => r).ToArray(), pauses: 0);
    }

    /// <summary>
    /// Runs the rounds on a thread of their own, so that a pool that never ends a round (a count run past zero by a
    /// worker running a round twice) fails the test instead of hanging the run.
    /// </summary>
    private static void AssertEveryRoundRunsEachItemOnce(WorkerPool pool, int[] rounds, int pauses)
    {
        Exception? failure = null;
        var caller = new Thread(() =>
        {
            try
            {
                for (int r = 0; r < rounds.Length; r++)
                {
                    if (((pauses >> (r % 31)) & 1) == 1 && r % 5 == 0) Thread.Sleep(3);   // past the spin: the workers block
                    var recorder = new Recorder(70);
                    pool.Run(rounds[r], recorder);
                    for (int item = 0; item < 70; item++)
                    {
                        Assert.Equal(item < rounds[r] ? 1 : 0, recorder.Runs[item]);
                        if (item < rounds[r]) Assert.Equal(item % pool.Workers, recorder.Worker[item]);
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true };
        caller.Start();
        Assert.True(caller.Join(TimeSpan.FromSeconds(30)), "a round did not end within 30 s: the pool hung");
        if (failure is not null) throw failure;
    }

    private sealed class Failing(int failAt) : IWorkItems
    {
        public void Run(int item, int worker)
        {
            if (item == failAt) throw new InvalidOperationException($"item {item}");
        }
    }

    [Fact]
    public void AFailingItem_IsRethrown_AndThePoolRunsOn()
    {
        using var pool = new WorkerPool(2);
        var failure = Assert.Throws<AggregateException>(() => pool.Run(4, new Failing(3)));
        Assert.Equal("item 3", failure.InnerException!.Message);

        var recorder = new Recorder(4);
        pool.Run(4, recorder);
        Assert.All(recorder.Runs, runs => Assert.Equal(1, runs));
    }

    [Fact]
    public async Task Dispose_StopsWorkersThatBlocked()
    {
        var pool = new WorkerPool(3);
        pool.Run(3, new Recorder(3));
        await Task.Delay(5);   // past the spin
        var dispose = Task.Run(pool.Dispose);
        var first = await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(first == dispose, "Dispose did not return: a blocked worker was not woken.");
    }
}
