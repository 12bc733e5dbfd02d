using SimdRnn.Cells;
using SimdRnn.Cli;
using SimdRnn.Data;
using SimdRnn.IO;
using SimdRnn.Tests.Cli;
using SimdRnn.Tests.Data;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.IO;

/// <summary><c>simdrnn train --save / --resume / --checkpoint-every</c> and Ctrl-C, with the hand-written test cells.</summary>
public sealed class TrainSaveCommandTests : IDisposable
{
    private static readonly string Mnist = CliFiles.EasyMnist();
    private static readonly string[] Common = ["train", "--cell", "rnn", "--hidden", "12", "--batch", "30", "--lr", "0.05", "--threads", "1", "--data", Mnist];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string PathOf(string name) => Path.Combine(_dir.Path, name);

    [Fact]
    public void Save_WritesAModelThatEvalScoresAsTrainReported()
    {
        string model = PathOf("m.safetensors");
        var train = CliFiles.Run(TestCells.All, [.. Common, "--epochs", "2", "--save", model, "--json"]);

        Assert.Equal(ExitCodes.Success, train.ExitCode);
        Assert.Contains($"Saved {model} (epoch 2)", train.Error);
        using (var loaded = ModelFile.Load(model, TestCells.All))
        {
            Assert.Equal(2, loaded.Epoch);
            Assert.Equal(0.05f, loaded.Options!.LearningRate);
            Assert.Equal(OptimizerKind.Adam, loaded.Optimizer!.Kind);
            Assert.True(loaded.Metadata.ContainsKey("test_accuracy"));
        }

        var eval = CliFiles.Run(TestCells.All, "eval", "--model", model, "--data", Mnist, "--json");

        Assert.Equal(ExitCodes.Success, eval.ExitCode);
        string trainAccuracy = train.Out.Split('\n').First(l => l.Contains("\"summary\"")).Split("\"test_accuracy\":")[1].Split(',')[0];
        Assert.Contains($"\"test_accuracy\":{trainAccuracy},", eval.Out);
    }

    [Fact]
    public void CtrlCAfterAnEpochThenResume_EndsWithTheWeightsOfAnUninterruptedRun()
    {
        string whole = PathOf("whole.safetensors"), part = PathOf("part.safetensors");
        Assert.Equal(ExitCodes.Success, CliFiles.Run(TestCells.All, [.. Common, "--epochs", "3", "--save", whole]).ExitCode);

        var stopped = RunCancellingAfter("Epoch: 0001", [.. Common, "--epochs", "3", "--save", part]);
        Assert.Equal(ExitCodes.Cancelled, stopped.ExitCode);
        Assert.Contains($"Saved {part} (epoch 1)", stopped.Error);

        var resumed = CliFiles.Run(TestCells.All, "train", "--resume", part, "--data", Mnist);

        Assert.Equal(ExitCodes.Success, resumed.ExitCode);
        Assert.Contains($"Resuming {part} (rnn, hidden 12, layers 1, epoch 1) at epoch 2", resumed.Error);
        Assert.StartsWith("Epoch: 0002", resumed.Out);
        Assert.Contains($"Saved {part} (epoch 3)", resumed.Error);
        using var full = ModelFile.Load(whole, TestCells.All);
        using var again = ModelFile.Load(part, TestCells.All);
        Assert.Equal(full.Network.Parameters, again.Network.Parameters);
        Assert.Equal(full.Optimizer!.Buffers, again.Optimizer!.Buffers);
    }

    [Fact]
    public void CheckpointEvery_SavesAfterThoseEpochsAndAtTheEnd()
    {
        string model = PathOf("m.safetensors");
        var run = CliFiles.Run(TestCells.All, [.. Common, "--epochs", "3", "--save", model, "--checkpoint-every", "2", "--no-optimizer-state"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal([$"Saved {model} (epoch 2)", $"Saved {model} (epoch 3)"], run.ErrorLines.Where(l => l.StartsWith("Saved", StringComparison.Ordinal)));
        using var loaded = ModelFile.Load(model, TestCells.All);
        Assert.Null(loaded.Optimizer);
        Assert.DoesNotContain(SafetensorsFile.ReadHeader(model).Tensors, t => t.Name.StartsWith("optimizer.", StringComparison.Ordinal));
    }

    [Fact]
    public void ResumeOfAFinishedRun_AsksForMoreEpochs()
    {
        string model = PathOf("m.safetensors");
        Assert.Equal(ExitCodes.Success, CliFiles.Run(TestCells.All, [.. Common, "--epochs", "1", "--save", model]).ExitCode);

        var run = CliFiles.Run(TestCells.All, "train", "--resume", model, "--data", Mnist);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal($"simdrnn: --epochs 1: {model} has already completed 1 epochs; give --epochs above 1 to train further\n", run.Error);
    }

    [Fact]
    public void ResumeWithAnotherArchitecture_IsAUsageError()
    {
        string model = PathOf("m.safetensors");
        Assert.Equal(ExitCodes.Success, CliFiles.Run(TestCells.All, [.. Common, "--epochs", "1", "--save", model]).ExitCode);

        var run = CliFiles.Run(TestCells.All, "train", "--resume", model, "--hidden", "13", "--epochs", "2", "--data", Mnist);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal($"simdrnn: --hidden 13 differs from the resumed model's 12 ({model}); the architecture of a resumed model cannot change\n", run.Error);
    }

    [Fact]
    public void ResumeFromABadFile_IsOneLineAndExitOne()
    {
        string model = PathOf("bad.safetensors");
        File.WriteAllBytes(model, [1, 2, 3]);

        var run = CliFiles.Run(TestCells.All, "train", "--resume", model, "--data", Mnist);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal($"simdrnn: {model}: expected a safetensors file (8-byte header length, JSON header, data), found 3 bytes\n", run.Error);
    }

    [Fact]
    public void CheckpointEveryWithoutSave_IsAUsageError()
    {
        var run = CliFiles.Run(TestCells.All, [.. Common, "--checkpoint-every", "2"]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("simdrnn: --checkpoint-every needs --save FILE (or --resume FILE)\n", run.Error);
    }

    [Fact]
    public void CtrlCInsideAnEpoch_SavesTheLastCompletedEpochAndMarksTheCutOne()
    {
        using var cancellation = new CancellationTokenSource();
        var fake = new CancellingRun(cancellation, cancelInEpoch: 2);
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        string model = PathOf("m.safetensors");

        int code = new TrainCommand(fake.Start).Run(["--cell", "rnn", "--data", Mnist, "--epochs", "3", "--save", model],
            new CliContext(output, error, TestCells.All, false, cancellation.Token));

        Assert.Equal(ExitCodes.Cancelled, code);
        var (path, checkpoint, optimizerState) = Assert.Single(fake.Saves);
        Assert.Equal(model, path);
        Assert.Equal(1, checkpoint.Epoch);
        Assert.Equal("2", checkpoint.Metadata!["interrupted_epoch"]);
        Assert.True(optimizerState);
        Assert.Contains($"Saved {model} (epoch 1, with part of epoch 2)", error.ToString());
    }

    private static CliRun RunCancellingAfter(string line, string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        var output = new CancellingWriter(line, cancellation);
        var error = new StringWriter { NewLine = "\n" };
        int code = CliApp.Run(args, new CliContext(output, error, TestCells.All, false, cancellation.Token));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Presses Ctrl-C as soon as a line starting with the given text is printed.</summary>
    private sealed class CancellingWriter(string trigger, CancellationTokenSource cancellation) : StringWriter
    {
        public override string NewLine => "\n";

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith(trigger, StringComparison.Ordinal) == true) cancellation.Cancel();
        }
    }

    /// <summary>A stand-in trainer that is cancelled part-way through an epoch and records what it is asked to save.</summary>
    private sealed class CancellingRun(CancellationTokenSource cancellation, int cancelInEpoch) : ITrainingRun
    {
        public List<(string Path, ModelCheckpoint Checkpoint, bool OptimizerState)> Saves { get; } = [];

        public int ParameterCount => 10;

        public ITrainingRun Start(TrainSettings settings, SequenceDataset train) => this;

        public EpochResult TrainEpoch(int epoch, Action<EpochProgress>? progress, CancellationToken token)
        {
            if (epoch != cancelInEpoch) return new EpochResult(epoch, 0.5, 100, 1, true);
            cancellation.Cancel();
            return new EpochResult(epoch, 0.4, 100, 0.5, false);
        }

        public Evaluation Evaluate(SequenceDataset test) => new(SimdRnn.Model.Head.Classify(10), 0.5, 1) { Accuracy = 0.9 };

        public void Save(string path, ModelCheckpoint checkpoint, bool optimizerState) => Saves.Add((path, checkpoint, optimizerState));

        public void Dispose()
        {
        }
    }
}
