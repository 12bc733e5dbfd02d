using System.Globalization;
using SimdRnn.Data;

namespace SimdRnn.Training;

/// <summary>What the epoch loop does when training diverges (<see cref="DivergenceCheck"/>).</summary>
public enum DivergencePolicy
{
    /// <summary>Stop, with the reason (<see cref="FitOutcome.Diverged"/>).</summary>
    Stop,

    /// <summary>
    /// Go back to the weights and optimizer state after the last good epoch (or the initial ones), lower the
    /// learning rate by <see cref="FitOptions.RecoveryFactor"/>, and train that epoch again; stop after
    /// <see cref="FitOptions.MaxRecoveries"/> attempts.
    /// </summary>
    Recover,

    /// <summary>
    /// Go on past an epoch at chance level, telling the observer (<see cref="IFitObserver.StillAtChance"/>): for tasks
    /// that sit at chance for a while before they learn, such as an LSTM on pixel-by-pixel MNIST. A loss that is no
    /// longer finite still stops the run.
    /// </summary>
    Continue,
}

/// <summary>How <see cref="Fit.Run"/> ran: to the end, stopped by a divergence, or cancelled.</summary>
public enum FitOutcome
{
    Completed,
    Diverged,
    Cancelled,
}

/// <summary>The epochs to run and what to do between them.</summary>
public sealed record FitOptions
{
    /// <summary>The first epoch to train, numbered from 1 (a resumed run starts after its saved epoch).</summary>
    public int FirstEpoch { get; init; } = 1;

    /// <summary>The last epoch to train.</summary>
    public int Epochs { get; init; } = 10;

    public DivergencePolicy OnDivergence { get; init; } = DivergencePolicy.Stop;

    /// <summary>With <see cref="DivergencePolicy.Recover"/>: how many times the run may go back before it stops.</summary>
    public int MaxRecoveries { get; init; } = 3;

    /// <summary>With <see cref="DivergencePolicy.Recover"/>: each recovery multiplies the learning rate by this.</summary>
    public float RecoveryFactor { get; init; } = 0.1f;

    /// <summary>Ask for a checkpoint (<see cref="IFitObserver.Checkpoint"/>) after every this many epochs; 0 for none but the last.</summary>
    public int CheckpointEvery { get; init; }
}

/// <summary>One finished epoch: its training figures and the evaluation after it.</summary>
public sealed record EpochReport(EpochResult Train, Evaluation Test);

/// <summary>A point at which the weights should be saved, if the caller saves.</summary>
/// <param name="CompletedEpochs">The epochs the weights have completed.</param>
/// <param name="Last">The evaluation after the last completed epoch, if one ran in this call.</param>
/// <param name="InterruptedEpoch">The epoch that was cancelled part-way, whose batches so far are in the weights.</param>
public sealed record FitCheckpoint(int CompletedEpochs, Evaluation? Last, int? InterruptedEpoch);

/// <summary>A recovery after a divergence: which epoch is trained again, why, and the new learning-rate factor.</summary>
public sealed record FitRecovery(int Epoch, string Reason, float LearningRateFactor, int Attempt);

/// <summary>How the loop ended.</summary>
public sealed record FitResult(FitOutcome Outcome, string? Reason, IReadOnlyList<EpochReport> Epochs, IReadOnlyList<FitRecovery> Recoveries, double TrainSeconds)
{
    /// <summary>The evaluation after the last completed epoch, or null when none completed.</summary>
    public Evaluation? Last => Epochs.Count == 0 ? null : Epochs[^1].Test;

    /// <summary>When <see cref="Outcome"/> is <see cref="FitOutcome.Cancelled"/>: "before epoch 3" or "in epoch 3".</summary>
    public string? CancelledWhen { get; init; }
}

/// <summary>Hears the epoch loop: progress inside an epoch, finished epochs, checkpoints and recoveries. Every method is optional.</summary>
public interface IFitObserver
{
    void BatchDone(int epoch, EpochProgress progress)
    {
    }

    /// <summary>After each epoch's evaluation, before the divergence check on it.</summary>
    void EpochDone(EpochReport report)
    {
    }

    /// <summary>The weights are at a point worth saving: every <see cref="FitOptions.CheckpointEvery"/> epochs, on cancellation, and at the end.</summary>
    void Checkpoint(FitCheckpoint checkpoint)
    {
    }

    void Recovered(FitRecovery recovery)
    {
    }

    /// <summary>With <see cref="DivergencePolicy.Continue"/>: the epoch's accuracy is at chance level, and the run goes on.</summary>
    void StillAtChance(int epoch, string reason)
    {
    }
}

/// <summary>The part of a trainer the epoch loop drives (a <see cref="Trainer"/>, or a test's stand-in).</summary>
public interface IEpochTrainer
{
    EpochResult TrainEpoch(int epoch, Action<EpochProgress>? progress, CancellationToken cancellation);

    Evaluation Evaluate(SequenceDataset data);

    /// <summary>Multiplies every learning rate; lowered by recoveries.</summary>
    float LearningRateFactor { get; set; }

    TrainingSnapshot Snapshot();

    void Restore(TrainingSnapshot snapshot);
}

/// <summary>
/// The epoch loop, once for the CLI's train and sweep and for library users: train an epoch, stop on a
/// non-finite loss, evaluate, stop (or recover) when accuracy is at chance level, ask for checkpoints, and
/// finish cleanly on cancellation (after the current batch) with a checkpoint of what was done.
/// </summary>
public static class Fit
{
    public static FitResult Run(IEpochTrainer trainer, SequenceDataset test, FitOptions options, IFitObserver? observer = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FirstEpoch, 1);
        if (options.RecoveryFactor is not (> 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.RecoveryFactor, "The recovery factor must be above 0 and below 1.");
        observer ??= new NoObserver();

        var reports = new List<EpochReport>();
        var recoveries = new List<FitRecovery>();
        double seconds = 0;
        bool recover = options.OnDivergence == DivergencePolicy.Recover;
        var good = recover ? trainer.Snapshot() : null;
        Evaluation? last = null;

        FitResult End(FitOutcome outcome, string? reason, string? when = null) =>
            new(outcome, reason, reports, recoveries, seconds) { CancelledWhen = when };

        int epoch = options.FirstEpoch;
        while (epoch <= options.Epochs)
        {
            if (cancellation.IsCancellationRequested)
            {
                if (epoch > options.FirstEpoch) observer.Checkpoint(new FitCheckpoint(epoch - 1, last, null));
                return End(FitOutcome.Cancelled, null, $"before epoch {epoch}");
            }

            int current = epoch;
            var result = trainer.TrainEpoch(epoch, progress => observer.BatchDone(current, progress), cancellation);
            if (!result.Completed && cancellation.IsCancellationRequested)
            {
                observer.Checkpoint(new FitCheckpoint(epoch - 1, last, epoch));
                return End(FitOutcome.Cancelled, null, $"in epoch {epoch}");
            }

            string? reason = DivergenceCheck.Check(result, null);
            if (reason is null)
            {
                var evaluation = trainer.Evaluate(test);
                seconds += result.Seconds;
                var report = new EpochReport(result, evaluation);
                reports.Add(report);
                observer.EpochDone(report);
                reason = DivergenceCheck.Check(result, evaluation);
                if (reason is not null && options.OnDivergence == DivergencePolicy.Continue)
                {
                    observer.StillAtChance(epoch, reason);
                    reason = null;
                }

                if (reason is null) last = evaluation;
                else reports.RemoveAt(reports.Count - 1);
            }

            if (reason is not null)
            {
                if (!recover || recoveries.Count >= options.MaxRecoveries)
                {
                    string more = recover ? string.Create(CultureInfo.InvariantCulture, $" (after {recoveries.Count} recoveries)") : "";
                    return End(FitOutcome.Diverged, reason + more);
                }

                trainer.Restore(good!);
                trainer.LearningRateFactor *= options.RecoveryFactor;
                var recovery = new FitRecovery(epoch, reason, trainer.LearningRateFactor, recoveries.Count + 1);
                recoveries.Add(recovery);
                observer.Recovered(recovery);
                continue;
            }

            if (recover) good = trainer.Snapshot();
            if (options.CheckpointEvery > 0 && epoch % options.CheckpointEvery == 0 && epoch < options.Epochs)
            {
                observer.Checkpoint(new FitCheckpoint(epoch, last, null));
            }

            epoch++;
        }

        if (options.Epochs >= options.FirstEpoch) observer.Checkpoint(new FitCheckpoint(options.Epochs, last, null));
        return End(FitOutcome.Completed, null);
    }

    private sealed class NoObserver : IFitObserver;
}
