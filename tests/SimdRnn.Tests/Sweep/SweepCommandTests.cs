using SimdRnn.Cli;
using SimdRnn.Tests.Cli;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Sweep;

/// <summary><c>simdrnn sweep</c> over a scripted trainer: records, resume, divergence, shards, progress.</summary>
public sealed class SweepCommandTests
{
    private static readonly string[] SmallGrid = ["--cell", "fake-lstm,fake-gru", "--lr", "0.01,0.001", "--epochs", "3,1", "--limit", "10"];

    [Fact]
    public void EachPointTrainsOnceToTheLargestEpochCount_AndRecordsEveryCount()
    {
        var trainer = new FakeTrainer();
        string output = Idx.TempDirectory();

        var run = trainer.Sweep(output, SmallGrid);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(4, trainer.Runs.Count);
        Assert.All(trainer.Runs, o => Assert.Equal(3, o.Epochs));
        Assert.All(trainer.Runs, o => Assert.Equal(LearningRateSchedule.Constant, o.Schedule));
        Assert.Equal(4 * 3, trainer.Epochs.Count);

        var records = Results.In(output);
        Assert.Equal(8, records.Count);
        Assert.Equal(
            ["fake-lstm 0.01 1", "fake-lstm 0.01 3", "fake-lstm 0.001 1", "fake-lstm 0.001 3", "fake-gru 0.01 1", "fake-gru 0.01 3", "fake-gru 0.001 1", "fake-gru 0.001 3"],
            records.Select(r => $"{r.Cell} {r.LearningRate} {r.Epochs}"));
        Assert.All(records, r => Assert.Equal(SweepRecord.Done, r.Status));
        Assert.All(records, r => Assert.Equal(r.Point.Key(r.Epochs), r.Key));
    }

    [Fact]
    public void Record_HoldsTheCurveUpToItsEpochCount_AndTheRunsFigures()
    {
        var trainer = new FakeTrainer();
        string output = Idx.TempDirectory();

        trainer.Sweep(output, "--cell", "fake-gru", "--lr", "0.01", "--epochs", "1,3", "--hidden", "16", "--batch", "8", "--seed", "7", "--limit", "10");

        var records = Results.In(output);
        var one = records.Single(r => r.Epochs == 1);
        var three = records.Single(r => r.Epochs == 3);
        Assert.Equal([1.0], one.Cost);
        Assert.Equal([1.0, 0.5, 1.0 / 3], three.Cost);
        Assert.Equal(0.5 + 0.03 - 0.01f, three.FinalAccuracy!.Value, 1e-9);
        Assert.Equal(three.TestAccuracy[^1], three.FinalAccuracy);
        Assert.Equal(1.5, three.Seconds, 1e-9);
        Assert.Equal(40, three.SamplesPerSecond, 1e-9);
        Assert.Equal("cell=fake-gru lr=0.01 batch=8 hidden=16 layers=1 seed=7 limit=10 epochs=3", three.Key);
        Assert.Equal(("constant", "adam", 5f), (three.Schedule, three.Optimizer, three.Clip));
        Assert.Equal(CliApp.Version, three.Version);
        Assert.Null(three.Reason);
    }

    [Fact]
    public void Rerun_SkipsFinishedPoints()
    {
        var trainer = new FakeTrainer();
        string output = Idx.TempDirectory();
        trainer.Sweep(output, SmallGrid);
        string before = File.ReadAllText(Results.PathIn(output));

        var again = new FakeTrainer();
        var run = again.Sweep(output, SmallGrid);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Empty(again.Runs);
        Assert.Contains("Sweep: all 4 points of shard 0/1 are in", run.Error);
        Assert.Equal(before, File.ReadAllText(Results.PathIn(output)));
    }

    [Fact]
    public void KilledSweep_LosesOnlyThePointInProgress()
    {
        string output = Idx.TempDirectory();
        using var cancellation = new CancellationTokenSource();
        var killed = new FakeTrainer();
        int epochs = 0;
        // Ctrl-C before the third epoch of the third point (the ninth epoch in all).
        killed.BeforeEpoch = (_, _) =>
        {
            if (++epochs == 9) cancellation.Cancel();
        };

        var first = killed.Sweep(output, cancellation.Token, SmallGrid);

        Assert.Equal(ExitCodes.Cancelled, first.ExitCode);
        Assert.Contains("cancelled in point 3/4", first.Error);
        // Points 1 and 2 whole, and the epoch-1 record of point 3.
        Assert.Equal(5, Results.In(output).Count);

        var resumed = new FakeTrainer();
        var second = resumed.Sweep(output, SmallGrid);

        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("Sweep: 4 points in the grid, 4 in shard 0/1, 2 already in", second.Error);
        Assert.Equal([0.01f, 0.001f], resumed.Runs.Select(o => o.LearningRate));
        Assert.All(resumed.Runs, o => Assert.Equal("fake-gru", o.Cell));
        var records = Results.In(output);
        Assert.Equal(8, records.Count);
        Assert.Equal(8, records.Select(r => r.Key).Distinct().Count());
    }

    [Fact]
    public void TornLastLine_IsIgnoredWithANote_AndCutOffBeforeAppending()
    {
        var trainer = new FakeTrainer();
        string output = Idx.TempDirectory();
        trainer.Sweep(output, SmallGrid);
        string path = Results.PathIn(output);
        var lines = File.ReadAllLines(path);
        // Keep seven records and half of the last, as a kill during the write would.
        File.WriteAllText(path, string.Join("\n", lines.Take(7)) + "\n" + lines[7][..(lines[7].Length / 2)]);

        var again = new FakeTrainer();
        var run = again.Sweep(output, SmallGrid);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("ignoring line 8, a torn last line", run.Error);
        var contents = SweepResults.Read(path);
        Assert.Empty(contents.Ignored);
        Assert.Equal(8, contents.Records.Count);
        // Only the point of the torn record trains again.
        Assert.Equal(("fake-gru", 0.001f), (again.Runs.Single().Cell, again.Runs.Single().LearningRate));
    }

    [Fact]
    public void NonFiniteLoss_RecordsDiverged_KeepsTheEpochsBefore_AndTheSweepGoesOn()
    {
        var trainer = new FakeTrainer((o, epoch) => o.LearningRate == 0.01f && o.Cell == "fake-lstm" && epoch == 2
            ? (double.NaN, double.NaN)
            : FakeTrainer.Learns(o, epoch));
        string output = Idx.TempDirectory();

        var run = trainer.Sweep(output, SmallGrid);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(4, trainer.Runs.Count);
        var records = Results.In(output).Where(r => r.Cell == "fake-lstm" && r.LearningRate == 0.01f).ToList();
        Assert.Equal(SweepRecord.Done, records.Single(r => r.Epochs == 1).Status);
        var diverged = records.Single(r => r.Epochs == 3);
        Assert.Equal(SweepRecord.Diverged, diverged.Status);
        Assert.Contains("loss became NaN in epoch 2", diverged.Reason);
        Assert.Equal([1.0], diverged.Cost);
        Assert.Contains("diverged fake-lstm lr 0.01", run.Out);
        Assert.Equal(7, Results.In(output).Count(r => r.Status == SweepRecord.Done));
    }

    [Fact]
    public void ChanceAccuracyAfterEpochOne_IsDiverged_ForEveryEpochCount()
    {
        var trainer = new FakeTrainer((o, epoch) => o.LearningRate == 0.01f ? (2.3, 0.11) : FakeTrainer.Learns(o, epoch));
        string output = Idx.TempDirectory();

        trainer.Sweep(output, SmallGrid);

        var records = Results.In(output).Where(r => r.LearningRate == 0.01f).ToList();
        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.Equal(SweepRecord.Diverged, r.Status));
        Assert.All(records, r => Assert.Contains("at chance level", r.Reason));
        Assert.All(records, r => Assert.Equal([0.11], r.TestAccuracy));
        Assert.Equal(2, trainer.Epochs.Count(e => e.Options.LearningRate == 0.01f));
    }

    [Fact]
    public void Shards_SplitTheGrid_AndTheirFilesConcatenateToTheWholeSweep()
    {
        string[] grid = [.. SmallGrid, "--hidden", "8,16,32"];
        string whole = Idx.TempDirectory();
        new FakeTrainer().Sweep(whole, grid);
        var parts = Enumerable.Range(0, 3).Select(_ => Idx.TempDirectory()).ToList();

        for (int i = 0; i < 3; i++) Assert.Equal(ExitCodes.Success, new FakeTrainer().Sweep(parts[i], [.. grid, "--shard", $"{i}/3"]).ExitCode);

        var concatenated = parts.SelectMany(p => File.ReadAllLines(Results.PathIn(p))).ToList();
        Assert.Equal(2 * 12, concatenated.Count);
        Assert.Equal(Results.In(whole).Select(r => r.Key).Order(), concatenated.Select(l => SweepResults.TryDeserialize(System.Text.Encoding.UTF8.GetBytes(l))!.Key).Order());
        Assert.Equal(4, Results.In(parts[1]).Count / 2);
    }

    [Fact]
    public void Progress_NamesThePointTheEpochAndTheSweepEta()
    {
        var run = new FakeTrainer().Sweep(Idx.TempDirectory(), SmallGrid);

        Assert.Contains("Sweep: 4 points in the grid, 4 in shard 0/1, 0 already in", run.Error);
        Assert.Contains("Point 2/4 fake-lstm lr 0.001 batch 128 hidden 128 layers 1 seed 1 epoch 3/3: cost 0.3333, accuracy 0.5290", run.Error);
        Assert.Contains("sweep ETA", run.Error);
        Assert.Contains("Sweep done: 4 points trained (0 diverged), 0 skipped", run.Error);
        Assert.DoesNotContain('\r', run.Error);
    }
}
