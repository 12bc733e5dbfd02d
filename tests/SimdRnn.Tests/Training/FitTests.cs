using SimdRnn.Data;
using SimdRnn.Model;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Training;

/// <summary>The engine's epoch loop over a scripted trainer: divergence, recovery, checkpoints and cancellation.</summary>
public sealed class FitTests
{
    private static readonly SequenceDataset Test = new(new float[4], [0, 1, 0, 1], 1, 1, 2);

    [Fact]
    public void Completed_EvaluatesEveryEpoch_AndAsksForCheckpointsEveryNAndAtTheEnd()
    {
        var trainer = new ScriptedTrainer(epoch => (1.0 / epoch, 0.9));
        var observer = new Recorder();

        var result = Fit.Run(trainer, Test, new FitOptions { Epochs = 5, CheckpointEvery = 2 }, observer);

        Assert.Equal(FitOutcome.Completed, result.Outcome);
        Assert.Equal([1, 2, 3, 4, 5], result.Epochs.Select(e => e.Train.Epoch));
        Assert.Equal([2, 4, 5], observer.Checkpoints.Select(c => c.CompletedEpochs));
        Assert.Equal(0.9, result.Last!.Accuracy);
    }

    [Fact]
    public void StopPolicy_StopsAtChanceLevel_WithTheReason_AndNoCheckpoint()
    {
        var trainer = new ScriptedTrainer(epoch => (2.3, epoch == 2 ? 0.1 : 0.8));
        var observer = new Recorder();

        var result = Fit.Run(trainer, Test, new FitOptions { Epochs = 5 }, observer);

        Assert.Equal(FitOutcome.Diverged, result.Outcome);
        Assert.Contains("chance level", result.Reason);
        Assert.Single(result.Epochs);
        Assert.Empty(observer.Checkpoints);
    }

    [Fact]
    public void RecoverPolicy_RestoresTheLastGoodWeights_LowersTheRate_AndTrainsTheEpochAgain()
    {
        // Epoch 2 diverges (NaN) at the full rate and learns at a tenth of it.
        var trainer = new ScriptedTrainer((epoch, factor) => (epoch == 2 && factor == 1f ? double.NaN : 0.5, 0.9));
        var observer = new Recorder();

        var result = Fit.Run(trainer, Test, new FitOptions { Epochs = 3, OnDivergence = DivergencePolicy.Recover }, observer);

        Assert.Equal(FitOutcome.Completed, result.Outcome);
        var recovery = Assert.Single(result.Recoveries);
        Assert.Equal((2, 0.1f, 1), (recovery.Epoch, recovery.LearningRateFactor, recovery.Attempt));
        Assert.Contains("NaN", recovery.Reason);
        Assert.Equal([1, 2, 3], result.Epochs.Select(e => e.Train.Epoch));
        Assert.Equal([1, 2, 2, 3], trainer.Trained);
        Assert.Equal(1, trainer.RestoredFrom);   // the snapshot after epoch 1
    }

    [Fact]
    public void ContinuePolicy_GoesOnPastChanceLevel_AndTellsTheObserver()
    {
        var trainer = new ScriptedTrainer(epoch => (2.3, epoch <= 2 ? 0.1 : 0.8));
        var observer = new Recorder();

        var result = Fit.Run(trainer, Test, new FitOptions { Epochs = 4, OnDivergence = DivergencePolicy.Continue }, observer);

        Assert.Equal(FitOutcome.Completed, result.Outcome);
        Assert.Equal([1, 2, 3, 4], result.Epochs.Select(e => e.Train.Epoch));
        Assert.Equal([1, 2], observer.AtChance.Select(c => c.Epoch));
        Assert.All(observer.AtChance, c => Assert.Contains("chance level", c.Reason));
        Assert.Empty(result.Recoveries);
    }

    [Fact]
    public void ContinuePolicy_StillStopsOnANonFiniteLoss()
    {
        var trainer = new ScriptedTrainer(epoch => (epoch == 2 ? double.NaN : 0.5, 0.9));

        var result = Fit.Run(trainer, Test, new FitOptions { Epochs = 4, OnDivergence = DivergencePolicy.Continue });

        Assert.Equal(FitOutcome.Diverged, result.Outcome);
        Assert.Contains("NaN", result.Reason);
        Assert.Equal([1, 2], trainer.Trained);
    }

    [Fact]
    public void RecoverPolicy_GivesUpAfterMaxRecoveries()
    {
        var trainer = new ScriptedTrainer(_ => (double.NaN, 0.9));

        var result = Fit.Run(trainer, Test, new FitOptions { Epochs = 3, OnDivergence = DivergencePolicy.Recover, MaxRecoveries = 2 });

        Assert.Equal(FitOutcome.Diverged, result.Outcome);
        Assert.Equal(2, result.Recoveries.Count);
        Assert.Contains("after 2 recoveries", result.Reason);
        Assert.Equal(0.01f, trainer.LearningRateFactor, 1e-6f);
    }

    [Fact]
    public void CancelledInAnEpoch_AsksForACheckpointOfTheEpochsBefore_WithThePartOne()
    {
        using var cancellation = new CancellationTokenSource();
        var trainer = new ScriptedTrainer(_ => (0.5, 0.9)) { CancelIn = (3, cancellation) };
        var observer = new Recorder();

        var result = Fit.Run(trainer, Test, new FitOptions { Epochs = 5 }, observer, cancellation.Token);

        Assert.Equal(FitOutcome.Cancelled, result.Outcome);
        Assert.Equal("in epoch 3", result.CancelledWhen);
        var checkpoint = Assert.Single(observer.Checkpoints);
        Assert.Equal((2, 3), (checkpoint.CompletedEpochs, checkpoint.InterruptedEpoch));
    }

    [Fact]
    public void RealTrainer_RecoversTheTutorialsDivergence()
    {
        // A learning rate far too high for an RNN makes the loss blow up; recovery brings it back to a rate that learns.
        var random = new Random(3);
        int count = 256, steps = 6;
        var values = new float[count * steps];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(2);
            for (int t = 0; t < steps; t++) values[i * steps + t] = (labels[i] == 1 ? 0.5f : -0.5f) + (float)(random.NextDouble() - 0.5) * 0.2f;
        }

        var data = new SequenceDataset(values, labels, steps, 1, 2);
        var rnn = SimdRnn.Cells.CellCatalog.Find(SimdRnn.Cells.CellCatalog.BuiltIn, "rnn")!;
        using var trainer = new Trainer(rnn, new TrainOptions { Hidden = 32, Batch = 32, LearningRate = 50f, Epochs = 4, Clip = 0, Optimizer = OptimizerKind.Sgd, Threads = 1 }, data);

        var result = Fit.Run(trainer, data, new FitOptions { Epochs = 4, OnDivergence = DivergencePolicy.Recover, MaxRecoveries = 4 });

        Assert.Equal(FitOutcome.Completed, result.Outcome);
        Assert.NotEmpty(result.Recoveries);
        Assert.True(result.Last!.Accuracy > 0.9, $"accuracy {result.Last.Accuracy} after {result.Recoveries.Count} recoveries");
    }

    private sealed class Recorder : IFitObserver
    {
        public List<FitCheckpoint> Checkpoints { get; } = [];

        public List<(int Epoch, string Reason)> AtChance { get; } = [];

        public void Checkpoint(FitCheckpoint checkpoint) => Checkpoints.Add(checkpoint);

        public void StillAtChance(int epoch, string reason) => AtChance.Add((epoch, reason));
    }

    private sealed class ScriptedTrainer(Func<int, float, (double Cost, double Accuracy)> script) : IEpochTrainer
    {
        private int lastGood;

        public ScriptedTrainer(Func<int, (double Cost, double Accuracy)> script)
            : this((epoch, _) => script(epoch))
        {
        }

        public List<int> Trained { get; } = [];

        public int RestoredFrom { get; private set; } = -1;

        public (int Epoch, CancellationTokenSource Source)? CancelIn { get; init; }

        public float LearningRateFactor { get; set; } = 1f;

        private double accuracy;

        public EpochResult TrainEpoch(int epoch, Action<EpochProgress>? progress, CancellationToken cancellation)
        {
            if (CancelIn is { } cancel && cancel.Epoch == epoch)
            {
                cancel.Source.Cancel();
                return new EpochResult(epoch, 0.5, 10, 1, Completed: false);
            }

            Trained.Add(epoch);
            var (cost, acc) = script(epoch, LearningRateFactor);
            accuracy = acc;
            if (double.IsFinite(cost)) lastGood = epoch;
            return new EpochResult(epoch, cost, 10, 1, Completed: double.IsFinite(cost));
        }

        public Evaluation Evaluate(SequenceDataset data) => new(Head.Classify(10), 0.5, 1) { Accuracy = accuracy };

        public TrainingSnapshot Snapshot() => Snapshots.Of(lastGood);

        public void Restore(TrainingSnapshot snapshot) => RestoredFrom = Snapshots.Epoch(snapshot);
    }

    // Real snapshots of a one-parameter network, tagged with the epoch they stand for.
    private static class Snapshots
    {
        private static readonly Dictionary<TrainingSnapshot, int> Epochs = new(ReferenceEqualityComparer.Instance);
        private static readonly Trainer Tiny = new(SimdRnn.Cells.CellCatalog.Find(SimdRnn.Cells.CellCatalog.BuiltIn, "rnn")!,
            new TrainOptions { Hidden = 1, Batch = 2, Threads = 1 }, Test);

        public static TrainingSnapshot Of(int epoch)
        {
            lock (Epochs)
            {
                var snapshot = Tiny.Snapshot();
                Epochs[snapshot] = epoch;
                return snapshot;
            }
        }

        public static int Epoch(TrainingSnapshot snapshot)
        {
            lock (Epochs) return Epochs[snapshot];
        }
    }
}
