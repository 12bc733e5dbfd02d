using SimdRnn.Cells;
using SimdRnn.Cli;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Cli;

public sealed class TrainCommandTests
{
    private static readonly CellEntry[] Cells = [FakeCell.Lstm];

    [Fact]
    public void EpochText_IsTheTutorialLine()
    {
        var result = new EpochResult(1, 0.3451234, 12345.4, 4.94, true);

        Assert.Equal("Epoch: 0001 Avg. cost = 0.345123 Test accuracy = 0.9712 (12,345 samples/s, 4.9 s)", TrainCommand.EpochText(result, Accuracy(0.97121)));
    }

    [Fact]
    public void SummaryText_AccuracyAndTime()
    {
        Assert.Equal(["Test accuracy: 0.9876", "Training time: 52.3 s"], TrainCommand.SummaryText(Accuracy(0.98759), 52.34));
    }

    [Fact]
    public void EpochText_OfARegression_GivesRmseAndMae()
    {
        var result = new EpochResult(2, 0.5, 100, 1, true);
        var test = new Evaluation(new SimdRnn.Model.Head(SimdRnn.Model.HeadKind.Regress, 1), 0.25, 1) { Rmse = 0.5, Mae = 0.375 };

        Assert.Equal("Epoch: 0002 Avg. cost = 0.500000 Test RMSE = 0.5 MAE = 0.375 (100 samples/s, 1.0 s)", TrainCommand.EpochText(result, test));
    }

    [Fact]
    public void EpochText_OfACharacterModel_GivesBitsPerCharacter()
    {
        var result = new EpochResult(1, 1.2, 100, 1, true);
        var test = new Evaluation(new SimdRnn.Model.Head(SimdRnn.Model.HeadKind.Tag, 60), Math.Log(2) * 1.5, 1) { Accuracy = 0.6 };

        Assert.Equal("Epoch: 0001 Avg. cost = 1.200000 Test bits/char = 1.5000 accuracy = 0.6000 (100 samples/s, 1.0 s)", TrainCommand.EpochText(result, test, text: true));
    }

    [Fact]
    public void Header_NamesEverySetting()
    {
        var options = new TrainOptions { Cell = "gru", Hidden = 64, Layers = 2, Batch = 32, LearningRate = 0.01f, Optimizer = OptimizerKind.Sgd, Threads = 3 };

        string header = TrainCommand.Header(options, 1234567);

        Assert.Equal(
            $"Training gru: hidden 64, layers 2, parameters 1,234,567, batch 32, lr 0.01, optimizer sgd, threads 3, SIMD {SimdRnn.Kernels.Simd.Path}",
            header);
    }

    [Fact]
    public void ReadSettings_DefaultsAreTrainOptionsDefaults()
    {
        var parsed = CommandLineParser.Parse("train", ["--cell", "fake-lstm"], TrainCommand.Options);

        var settings = TrainCommand.ReadSettings(parsed, Cells);

        Assert.Equal(new TrainOptions { Cell = "fake-lstm" }, settings.Options);
        Assert.Same(FakeCell.Lstm, settings.Cell);
        Assert.Equal(DataFormat.Mnist, settings.Data.Format);
        Assert.Null(settings.Data.MnistDirectory);
        Assert.False(settings.Json);
    }

    [Fact]
    public void ReadSettings_EveryOption()
    {
        string[] args =
        [
            "--cell", "fake-lstm", "--hidden", "64", "--layers", "2", "--batch", "32", "--lr", "0.01", "--epochs", "3",
            "--optimizer", "sgd", "--momentum", "0.5", "--clip", "0", "--schedule", "constant", "--seed", "-7",
            "--threads", "4", "--data", "/tmp/x", "--limit", "1000", "--json",
        ];

        var settings = TrainCommand.ReadSettings(CommandLineParser.Parse("train", args, TrainCommand.Options), Cells);

        Assert.Equal(new TrainOptions
        {
            Cell = "fake-lstm", Hidden = 64, Layers = 2, Batch = 32, LearningRate = 0.01f, Epochs = 3,
            Optimizer = OptimizerKind.Sgd, Momentum = 0.5f, Clip = 0, Schedule = LearningRateSchedule.Constant, Seed = -7,
            Threads = 4, Limit = 1000,
        }, settings.Options);
        Assert.Equal("/tmp/x", settings.Data.MnistDirectory);
        Assert.True(settings.Json);
    }

    private static Evaluation Accuracy(double accuracy) => new(SimdRnn.Model.Head.Classify(10), 0.1, 1) { Accuracy = accuracy };
}
