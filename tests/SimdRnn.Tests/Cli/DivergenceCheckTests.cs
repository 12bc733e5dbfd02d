using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Cli;

public sealed class DivergenceCheckTests
{
    private static EpochResult Epoch(int epoch, double cost, bool completed = true, double samplesPerSecond = 1000) =>
        new(epoch, cost, samplesPerSecond, 2.0, completed);

    [Fact]
    public void NaNLoss_StopsWithAnExplanationAndASuggestion()
    {
        string? reason = DivergenceCheck.Check(Epoch(1, double.NaN, completed: false), double.NaN, 10);

        Assert.Equal(
            "Training diverged: the loss became NaN in epoch 1. Try a lower learning rate (--lr 0.001) or gradient clipping (--clip 5).",
            reason);
    }

    [Fact]
    public void InfiniteLoss_SaysInfinite()
    {
        string? reason = DivergenceCheck.Check(Epoch(4, double.PositiveInfinity, completed: false), double.NaN, 10);

        Assert.StartsWith("Training diverged: the loss became infinite in epoch 4.", reason);
    }

    [Fact]
    public void ChanceAccuracyAfterTheFirstEpoch_Stops()
    {
        string? reason = DivergenceCheck.Check(Epoch(1, 2.30), 0.098, 10);

        Assert.Equal(
            "Training diverged: test accuracy 0.0980 is at chance level (0.10) after epoch 1: the network is not learning. " +
            "Try a lower learning rate (--lr 0.001) or gradient clipping (--clip 5).",
            reason);
    }

    [Theory]
    [InlineData(0.9712, 10)]
    [InlineData(0.16, 10)]
    [InlineData(0.76, 2)]
    public void LearningRun_GoesOn(double accuracy, int classes)
    {
        Assert.Null(DivergenceCheck.Check(Epoch(1, 0.345), accuracy, classes));
    }

    [Theory]
    [InlineData(0.1499, 10)]
    [InlineData(0.74, 2)]
    public void BelowOneAndAHalfTimesChance_Stops(double accuracy, int classes)
    {
        Assert.NotNull(DivergenceCheck.Check(Epoch(3, 0.9), accuracy, classes));
    }

    [Fact]
    public void FiniteLoss_WithoutAccuracyYet_GoesOn()
    {
        Assert.Null(DivergenceCheck.Check(Epoch(1, 0.7), double.NaN, 10));
    }

    [Fact]
    public void CancelledRun_IsNotADivergence()
    {
        Assert.Null(DivergenceCheck.Check(Epoch(2, 0.7, completed: false), double.NaN, 10));
        Assert.Null(DivergenceCheck.Check(Epoch(1, double.NaN, completed: false, samplesPerSecond: 0), double.NaN, 10));
    }
}
