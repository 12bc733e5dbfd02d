using System.Text.Json;
using SimdRnn.Cells;
using SimdRnn.Cli;
using SimdRnn.Data;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Cli;

/// <summary>The epoch loop of <c>simdrnn train</c> over a scripted stand-in for the trainer.</summary>
public sealed class TrainLoopTests
{
    private static readonly CellEntry[] Cells = [FakeCell.Lstm];

    private static readonly string Data = Idx.WriteMnist(20, 7);

    [Fact]
    public void TextRun_PrintsTheTutorialLinesThenTheSummary()
    {
        var fake = new ScriptedRun([Epoch(1, 0.5, 2.0), Epoch(2, 0.25, 3.0)], [0.9, 0.95]);

        var run = Train(fake, terminal: false, "--epochs", "2");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(
            "Epoch: 0001 Avg. cost = 0.500000 Test accuracy = 0.9000 (1,000 samples/s, 2.0 s)\n" +
            "Epoch: 0002 Avg. cost = 0.250000 Test accuracy = 0.9500 (1,000 samples/s, 3.0 s)\n" +
            "Test accuracy: 0.9500\n" +
            "Training time: 5.0 s\n",
            run.Out);
        Assert.StartsWith("Training fake-lstm: hidden 128, layers 1, parameters 4,321,", run.Error);
        Assert.Contains($"MNIST from {Data}: 20 training and 7 test images as 28 steps of 28 pixels, 2 epochs\n", run.Error);
        Assert.DoesNotContain('\r', run.Error);
        Assert.Equal(20, fake.TrainCount);
        Assert.All(fake.TestCounts, count => Assert.Equal(7, count));
    }

    [Fact]
    public void JsonRun_PrintsOneObjectPerEpochAndASummary()
    {
        var fake = new ScriptedRun([Epoch(1, 0.5, 2.0), Epoch(2, 0.25, 3.0)], [0.9, 0.95]);

        var run = Train(fake, terminal: true, "--epochs", "2", "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("""{"epoch":2,"cost":0.25,"test_accuracy":0.95,"test_loss":0.5,"samples_per_second":1000,"seconds":3}""", lines[1]);
        Assert.Equal("""{"summary":true,"test_accuracy":0.95,"test_loss":0.5,"train_seconds":5}""", lines[2]);
        Assert.DoesNotContain('\r', run.Error);
    }

    [Fact]
    public void Terminal_DrawsAndClearsTheProgressBarOnStderr()
    {
        var fake = new ScriptedRun([Epoch(1, 0.5, 2.0)], [0.9]);

        var run = Train(fake, terminal: true, "--epochs", "1");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("\rEpoch 1/1 [", run.Error);
        Assert.EndsWith("\r", run.Error);
        Assert.DoesNotContain('\r', run.Out);
    }

    [Fact]
    public void NaNLoss_ExitsThreeWithTheReason()
    {
        var fake = new ScriptedRun([Epoch(1, 0.5, 1.0), Epoch(2, double.NaN, 1.0, completed: false)], [0.9]);

        var run = Train(fake, terminal: false, "--epochs", "5", "--json");

        Assert.Equal(ExitCodes.Diverged, run.ExitCode);
        Assert.Contains("Training diverged: the loss became NaN in epoch 2. Try a lower learning rate", run.Error);
        var last = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        using var json = JsonDocument.Parse(last);
        Assert.True(json.RootElement.GetProperty("summary").GetBoolean());
        Assert.True(json.RootElement.GetProperty("diverged").GetBoolean());
        Assert.StartsWith("Training diverged", json.RootElement.GetProperty("reason").GetString());
        Assert.Equal(2, run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void ChanceAccuracy_ExitsThreeAfterPrintingTheEpoch()
    {
        var fake = new ScriptedRun([Epoch(1, 2.3, 1.0)], [0.098]);

        var run = Train(fake, terminal: false, "--epochs", "5");

        Assert.Equal(ExitCodes.Diverged, run.ExitCode);
        Assert.StartsWith("Epoch: 0001 Avg. cost = 2.300000 Test accuracy = 0.0980", run.Out);
        Assert.DoesNotContain("Test accuracy:", run.Out);
        Assert.Contains("test accuracy 0.0980 is at chance level (0.10) after epoch 1", run.Error);
    }

    [Fact]
    public void Cancellation_ExitsOneThirtyAfterTheCurrentBatch()
    {
        using var cancellation = new CancellationTokenSource();
        var fake = new ScriptedRun([Epoch(1, 0.5, 1.0), Epoch(2, 0.4, 0.5, completed: false)], [0.9], cancelInEpoch: 2, cancellation);

        var run = Train(fake, terminal: false, cancellation.Token, "--epochs", "3");

        Assert.Equal(ExitCodes.Cancelled, run.ExitCode);
        Assert.Single(run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("cancelled in epoch 2", run.Error);
    }

    [Theory]
    [InlineData("5", 5)]
    [InlineData("20", 20)]
    [InlineData("1000", 20)]
    public void Limit_TakesTheFirstTrainingImages(string limit, int expected)
    {
        var fake = new ScriptedRun([Epoch(1, 0.5, 1.0)], [0.9]);

        Train(fake, terminal: false, "--epochs", "1", "--limit", limit);

        Assert.Equal(expected, fake.TrainCount);
        Assert.Equal([7], fake.TestCounts);
    }

    private static EpochResult Epoch(int epoch, double cost, double seconds, bool completed = true) =>
        new(epoch, cost, 1000, seconds, completed);

    private static CliRun Train(ScriptedRun fake, bool terminal, params string[] args) => Train(fake, terminal, default, args);

    private static CliRun Train(ScriptedRun fake, bool terminal, CancellationToken cancellation, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var context = new CliContext(output, error, Cells, terminal, cancellation);
        ICliCommand[] commands = [new TrainCommand(fake.Start)];
        int code = CliApp.Run(["train", "--cell", "fake-lstm", "--data", Data, .. args], context, commands);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    private sealed class ScriptedRun(
        IReadOnlyList<EpochResult> epochs,
        IReadOnlyList<double> accuracies,
        int cancelInEpoch = 0,
        CancellationTokenSource? cancellation = null) : ITrainingRun
    {
        private int evaluations;

        public int TrainCount { get; private set; }

        public List<int> TestCounts { get; } = [];

        public int ParameterCount => 4321;

        public ITrainingRun Start(TrainSettings settings, SequenceDataset train)
        {
            TrainCount = train.Count;
            return this;
        }

        public EpochResult TrainEpoch(int epoch, Action<EpochProgress>? progress, CancellationToken token)
        {
            progress?.Invoke(new EpochProgress(TrainCount / 2, TrainCount, 1.0, 0.01));
            progress?.Invoke(new EpochProgress(TrainCount, TrainCount, 0.9, 0.02));
            if (epoch == cancelInEpoch) cancellation!.Cancel();
            return epochs[epoch - 1];
        }

        public Evaluation Evaluate(SequenceDataset test)
        {
            TestCounts.Add(test.Count);
            return new Evaluation(SimdRnn.Model.Head.Classify(10), 0.5, 1) { Accuracy = accuracies[evaluations++] };
        }

        public void Dispose()
        {
        }
    }
}
